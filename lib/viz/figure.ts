/**
 * `Figure`: what every routebench plot function returns. It holds a pure description (Plot options
 * per panel, legend, notes, or a table) plus the tidy rows behind it; rendering happens only when
 * asked (`toSvg`, `toPng`, `save`) or when the Deno Jupyter kernel displays it inline.
 * @module
 */
import type { PlotOptions } from "@observablehq/plot";
import { renderFigureSvg, svgToPng, tableToHtml, tableToText } from "./render.ts";

/** One chart in a figure. `plot` is `Plot.plot` options without `document`, `width` or `height`. */
export interface Panel {
  /** Shown above the panel. */
  title?: string;
  plot: PlotOptions;
  /** Panel height in px. @default {LAYOUT.panelHeight} */
  height?: number;
}

/** One legend entry drawn above the panels. */
export interface LegendItem {
  label: string;
  color: string;
  /** How the swatch is drawn. @default {"square"} */
  shape?: "square" | "line" | "dash" | "dotted" | "dot";
}

/** One column of a table figure. */
export interface TableColumn {
  key: string;
  label: string;
  align?: "left" | "right";
}

/** A table figure's content. */
export interface TableSpec {
  columns: TableColumn[];
  rows: Record<string, string | number>[];
}

/** Everything needed to draw a figure. */
export interface FigureSpec {
  /** File-safe name used by `save` and the report, e.g. `metric_summary_mean_ttft_ms`. */
  name: string;
  title: string;
  subtitle?: string;
  panels?: Panel[];
  /** Panels per row. @default {1} */
  columns?: number;
  /** Figure width in px. @default {LAYOUT.width} */
  width?: number;
  legend?: LegendItem[];
  /** Small print under the panels (data sources, downsampling). */
  notes?: string[];
  table?: TableSpec;
}

/** The symbol the Deno Jupyter kernel looks for to display an object (`Deno.jupyter.$display`). */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** Options for {@linkcode Figure.toPng}. */
export interface PngOptions {
  /** Pixel density. @default {2} */
  scale?: number;
}

/** A figure: displays inline in the Deno Jupyter kernel; saves as SVG and PNG. */
export class Figure {
  readonly spec: FigureSpec;
  /** The tidy rows the figure was drawn from (for inspection and tests). */
  readonly data: readonly Record<string, unknown>[];
  #svg: string | undefined;

  constructor(spec: FigureSpec, data: readonly Record<string, unknown>[] = []) {
    this.spec = spec;
    this.data = data;
  }

  /** File-safe name. */
  get name(): string {
    return this.spec.name.replace(/[^A-Za-z0-9_.-]+/g, "_");
  }

  /** Title shown at the top. */
  get title(): string {
    return this.spec.title;
  }

  /** A standalone SVG document (with xmlns), rendered once and cached. */
  toSvg(): string {
    this.#svg ??= renderFigureSvg(this.spec);
    return this.#svg;
  }

  /** PNG bytes rendered from the SVG with resvg and DejaVu Sans. */
  toPng(options: PngOptions = {}): Uint8Array {
    return svgToPng(this.toSvg(), options.scale ?? 2);
  }

  /** HTML for embedding: a `<table>` for table figures, else the inline SVG. */
  toHtml(): string {
    return this.spec.table ? tableToHtml(this.spec) : this.toSvg();
  }

  /** Writes `<basePath>.svg` and `<basePath>.png`; returns both paths. */
  async save(basePath: string, options: PngOptions = {}): Promise<{ svg: string; png: string }> {
    const svg = `${basePath}.svg`;
    const png = `${basePath}.png`;
    await Deno.writeTextFile(svg, this.toSvg());
    await Deno.writeFile(png, this.toPng(options));
    return { svg, png };
  }

  /** The MIME bundle shown inline: image/svg+xml, or text/html for table figures. */
  displayBundle(): Record<string, string> {
    if (this.spec.table) return { "text/html": tableToHtml(this.spec), "text/plain": tableToText(this.spec) };
    return { "image/svg+xml": this.toSvg(), "text/plain": this.spec.title };
  }

  /** The Deno Jupyter kernel calls this to show the figure inline. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return this.displayBundle();
  }
}
