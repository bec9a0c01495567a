/**
 * Test helpers for viz: one seeded fixture results folder per test process (written by
 * test/fixtures/make_fixtures.ts into a temporary folder, removed at exit) and DOM queries on a
 * figure's SVG, so tests check marks and labels rather than bytes.
 * @module
 */
import { JSDOM } from "jsdom";
import { join } from "node:path";
import { writeFixtureSet } from "../fixtures/make_fixtures.ts";
import type { Figure } from "../../lib/viz/figure.ts";

let fixtures: Promise<string> | undefined;

/** Path of the fixture results folder (CSVs, prefix-ratio summary, runs/). */
export function fixtureDir(): Promise<string> {
  fixtures ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "routebench_viz_" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    await writeFixtureSet(dir, {
      label: "fixture",
      csvStem: "conversations_sweep_results",
      repeats: 2,
      durationS: 6,
      eightReplicaRun: true,
    });
    return dir;
  })();
  return fixtures;
}

/** Paths inside the fixture folder. */
export async function fixturePaths() {
  const dir = await fixtureDir();
  return {
    dir,
    serveCsv: join(dir, "serve_conversations_sweep_results.csv"),
    engineCsv: join(dir, "engine_conversations_sweep_results.csv"),
    prefixSummary: join(dir, "prefix_ratio_results_summary.json"),
    pow2Run: join(dir, "runs", "fixture-pow2-r0"),
    prefixRun: join(dir, "runs", "fixture-prefix_aware-r0"),
    eightRun: join(dir, "runs", "fixture-8x-prefix_aware"),
  };
}

/** The figure's SVG parsed into a DOM. */
export function svgDom(figure: Figure) {
  const svg = figure.toSvg();
  const dom = new JSDOM(svg, { contentType: "image/svg+xml" });
  const document = dom.window.document;
  return {
    svg,
    root: document.documentElement,
    /** Elements matching a CSS selector. */
    all: (selector: string) => [...document.querySelectorAll(selector)],
    /** All text content of <text> elements (tspans joined). */
    texts: () => [...document.querySelectorAll("text")].map((t) => t.textContent ?? ""),
    /** Shapes drawn by one Plot mark type (Plot labels mark groups with aria-label), facets included. */
    marks: (type: string) =>
      [...document.querySelectorAll(`g[aria-label="${type}"]`)].flatMap((group) =>
        [...group.querySelectorAll("rect,path,circle,line,text")].filter((el) => !el.closest("marker"))
      ),
  };
}
