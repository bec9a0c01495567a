// Goal: render.ts turns a figure description into a standalone SVG (xmlns, title, legend, notes,
// panels) and a PNG, and tables into HTML/SVG. Method: render small specs and query the SVG DOM.
import assert from "node:assert/strict";
import * as Plot from "@observablehq/plot";
import { Figure, JUPYTER_DISPLAY } from "../../lib/viz/figure.ts";
import { renderFigureSvg, svgToPng, tableToHtml } from "../../lib/viz/render.ts";
import { svgDom } from "./_helpers.ts";

const spec = {
  name: "demo",
  title: "Demo title",
  subtitle: "A subtitle",
  legend: [{ label: "pow2", color: "#4e79a7" }, { label: "mean", color: "#222", shape: "dash" as const }],
  notes: ["A note"],
  columns: 2,
  panels: [
    { title: "Left", plot: { marks: [Plot.dot([{ x: 1, y: 2 }, { x: 2, y: 3 }], { x: "x", y: "y" })] } },
    { title: "Right", plot: { marks: [Plot.lineY([1, 3, 2])] } },
  ],
};

Deno.test("renderFigureSvg() returns one standalone SVG with title, legend, notes and every panel", () => {
  const figure = new Figure(spec);
  const dom = svgDom(figure);
  assert.equal(dom.root.getAttribute("xmlns"), "http://www.w3.org/2000/svg");
  for (const text of ["Demo title", "A subtitle", "pow2", "mean", "A note", "Left", "Right"]) {
    assert.ok(dom.texts().includes(text), `missing text ${text}`);
  }
  assert.equal(dom.all("svg > svg").length, 2);
  assert.equal(dom.marks("dot").length, 2);
  assert.equal(dom.marks("line").length, 1);
});

Deno.test("svgToPng() renders PNG bytes and rejects SVG without xmlns", () => {
  const png = svgToPng(renderFigureSvg(spec), 1);
  assert.deepEqual([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.throws(() => svgToPng("<svg width='10' height='10'></svg>"), /xmlns/);
});

Deno.test("Figure displays as image/svg+xml in Jupyter, and table figures as text/html", () => {
  const plot = new Figure(spec)[JUPYTER_DISPLAY]();
  assert.ok(plot["image/svg+xml"]!.startsWith("<svg"));
  const table = new Figure({
    name: "t",
    title: "T <1>",
    table: {
      columns: [{ key: "a", label: "A" }, { key: "b", label: "B", align: "right" }],
      rows: [{ a: "x", b: 1234.5678 }],
    },
  });
  const bundle = table[JUPYTER_DISPLAY]();
  assert.match(
    bundle["text/html"]!,
    /<table[^>]*>.*T &lt;1&gt;.*<td style="text-align:right">1,234.568<\/td>/s,
  );
  assert.match(bundle["text/plain"]!, /A\s+B/);
  assert.match(table.toSvg(), /<g class="table">/);
  assert.equal(tableToHtml({ name: "x", title: "no table" }), "");
});

Deno.test("renderPanelSvg() refuses panel options that make Plot return a <figure>", () => {
  const figure = new Figure({
    name: "x",
    title: "x",
    panels: [{ plot: { title: "inner", marks: [Plot.lineY([1, 2])] } }],
  });
  assert.throws(() => figure.toSvg(), /figure/);
});
