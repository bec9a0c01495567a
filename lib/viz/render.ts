/**
 * The only place figures become pixels: Observable Plot on a jsdom document → SVG, composed with a
 * title, an SVG legend and notes into one standalone SVG (xmlns set, so resvg and browsers accept
 * it), and PNG through resvg with DejaVu Sans (the one font family on our machines).
 * @module
 */
import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";
import { Resvg } from "@resvg/resvg-js";
import type { FigureSpec, LegendItem, Panel, TableSpec } from "./figure.ts";
import { LAYOUT } from "./theme.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
/** Average glyph width of DejaVu Sans as a fraction of the font size (used to lay out text). */
const CHAR_WIDTH_EM = 0.62;
const PANEL_TITLE_HEIGHT = 22;

/** The jsdom document type Plot renders into. */
export type PlotDocument = JSDOM["window"]["document"];

let sharedDocument: PlotDocument | undefined;

/** A jsdom document for Plot (created once per process). */
export function plotDocument(): PlotDocument {
  sharedDocument ??= new JSDOM("").window.document;
  return sharedDocument;
}

/** Renders one panel with Plot and returns its `<svg>` markup (no xmlns; it is nested). */
export function renderPanelSvg(panel: Panel, width: number, height: number): string {
  const element = Plot.plot({
    ...panel.plot,
    document: plotDocument() as never,
    width,
    height,
  }) as unknown as { tagName: string; outerHTML: string; setAttribute(name: string, value: string): void };
  if (element.tagName.toLowerCase() !== "svg") {
    throw new TypeError(
      "Panel plot options produced a <figure>: do not set title, caption or legend in them",
    );
  }
  element.setAttribute("font-size", String(LAYOUT.fontSize));
  element.setAttribute("font-family", LAYOUT.fontFamily);
  return element.outerHTML;
}

/** Renders a figure description to a standalone SVG document string. */
export function renderFigureSvg(spec: FigureSpec): string {
  const margin = LAYOUT.margin;
  const tableSize = spec.table ? measureTable(spec.table) : undefined;
  const width = Math.max(spec.width ?? LAYOUT.width, tableSize ? tableSize.width + 2 * margin : 0);
  const innerWidth = width - 2 * margin;
  const parts: string[] = [];
  let y = margin;

  y += LAYOUT.titleSize;
  parts.push(text(margin, y, spec.title, { size: LAYOUT.titleSize, weight: "bold" }));
  for (const line of wrap(spec.subtitle ?? "", innerWidth, LAYOUT.subtitleSize)) {
    y += LAYOUT.subtitleSize + 5;
    parts.push(text(margin, y, line, { size: LAYOUT.subtitleSize, fill: "#555" }));
  }
  y += 8;
  if (spec.legend && spec.legend.length > 0) {
    const legend = renderLegend(spec.legend, margin, y, innerWidth);
    parts.push(legend.svg);
    y += legend.height + 6;
  }
  if (spec.table && tableSize) {
    parts.push(renderTableSvg(spec.table, margin, y));
    y += tableSize.height + 8;
  }
  const panels = spec.panels ?? [];
  const columns = Math.max(1, Math.min(spec.columns ?? 1, panels.length));
  const panelWidth = Math.floor((innerWidth - (columns - 1) * LAYOUT.gap) / columns);
  for (let row = 0; row * columns < panels.length; row++) {
    const rowPanels = panels.slice(row * columns, row * columns + columns);
    const hasTitles = rowPanels.some((panel) => panel.title);
    const rowHeight = Math.max(...rowPanels.map((panel) => panel.height ?? LAYOUT.panelHeight));
    rowPanels.forEach((panel, column) => {
      const x = margin + column * (panelWidth + LAYOUT.gap);
      if (panel.title) parts.push(text(x, y + 15, panel.title, { size: 13, weight: "bold" }));
      const top = y + (hasTitles ? PANEL_TITLE_HEIGHT : 0);
      const svg = renderPanelSvg(panel, panelWidth, panel.height ?? LAYOUT.panelHeight);
      parts.push(svg.replace(/^<svg\b/, `<svg x="${x}" y="${top}"`));
    });
    y += rowHeight + (hasTitles ? PANEL_TITLE_HEIGHT : 0) + LAYOUT.gap;
  }
  for (const note of spec.notes ?? []) {
    for (const line of wrap(note, innerWidth, LAYOUT.noteSize)) {
      y += LAYOUT.noteSize + 4;
      parts.push(text(margin, y, line, { size: LAYOUT.noteSize, fill: "#666" }));
    }
  }
  const height = Math.ceil(y + margin);
  return `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${LAYOUT.fontFamily}" font-size="${LAYOUT.fontSize}">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>`;
}

/** Renders SVG text to PNG bytes with resvg (DejaVu Sans for every sans-serif request). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  if (!svg.includes(`xmlns="${SVG_NS}"`)) {
    throw new TypeError('SVG for PNG rendering needs xmlns="http://www.w3.org/2000/svg" on its root');
  }
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

/** An HTML `<table>` for a table figure, with its title as caption. */
export function tableToHtml(spec: FigureSpec): string {
  const table = spec.table;
  if (!table) return "";
  const head = table.columns.map((c) =>
    `<th style="text-align:${c.align ?? "left"}">${escapeXml(c.label)}</th>`
  )
    .join("");
  const body = table.rows.map((row) =>
    `<tr>${
      table.columns.map((c) =>
        `<td style="text-align:${c.align ?? "left"}">${escapeXml(formatCell(row[c.key]))}</td>`
      ).join("")
    }</tr>`
  ).join("");
  const notes = [spec.subtitle, ...(spec.notes ?? [])].filter(Boolean).map((n) =>
    `<br><small>${escapeXml(n!)}</small>`
  )
    .join("");
  return `<table class="routebench-table"><caption><b>${escapeXml(spec.title)}</b>${notes}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A plain-text rendering of a table figure (columns padded). */
export function tableToText(spec: FigureSpec): string {
  const table = spec.table;
  if (!table) return spec.title;
  const cells = [
    table.columns.map((c) => c.label),
    ...table.rows.map((r) => table.columns.map((c) => formatCell(r[c.key]))),
  ];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const lines = cells.map((row) =>
    row.map((cell, i) =>
      table.columns[i]!.align === "right" ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)
    )
      .join("  ")
  );
  return [spec.title, ...lines].join("\n");
}

/** Escapes text for XML/HTML content and attribute values. */
export function escapeXml(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  );
}

/** Estimated rendered width of `value` in px at `size`. */
export function textWidth(value: string, size: number): number {
  return value.length * size * CHAR_WIDTH_EM;
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value.toLocaleString("en-US");
    return value.toLocaleString("en-US", { maximumFractionDigits: 3 });
  }
  return String(value);
}

interface TextStyle {
  size: number;
  weight?: string;
  fill?: string;
  anchor?: "start" | "middle" | "end";
}

function text(x: number, y: number, value: string, style: TextStyle): string {
  return `<text x="${x}" y="${y}" font-size="${style.size}"${
    style.weight ? ` font-weight="${style.weight}"` : ""
  } ` +
    `fill="${style.fill ?? "#222"}" text-anchor="${style.anchor ?? "start"}">${escapeXml(value)}</text>`;
}

function wrap(value: string, width: number, size: number): string[] {
  if (value === "") return [];
  const maxChars = Math.max(10, Math.floor(width / (size * CHAR_WIDTH_EM)));
  const lines: string[] = [];
  let line = "";
  for (const word of value.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function renderLegend(
  items: LegendItem[],
  x0: number,
  y0: number,
  width: number,
): { svg: string; height: number } {
  const size = LAYOUT.fontSize;
  const rowHeight = size + 8;
  const parts: string[] = [];
  let x = x0;
  let y = y0;
  for (const item of items) {
    const itemWidth = 26 + textWidth(item.label, size) + 16;
    if (x > x0 && x + itemWidth > x0 + width) {
      x = x0;
      y += rowHeight;
    }
    parts.push(swatch(item, x, y + rowHeight / 2));
    parts.push(text(x + 26, y + rowHeight / 2 + size * 0.35, item.label, { size }));
    x += itemWidth;
  }
  return { svg: `<g class="legend">${parts.join("")}</g>`, height: y - y0 + rowHeight };
}

function swatch(item: LegendItem, x: number, cy: number): string {
  const shape = item.shape ?? "square";
  if (shape === "square") {
    return `<rect x="${x + 4}" y="${cy - 6}" width="12" height="12" fill="${item.color}"/>`;
  }
  if (shape === "dot") return `<circle cx="${x + 10}" cy="${cy}" r="5" fill="${item.color}"/>`;
  const dash = shape === "dash"
    ? ` stroke-dasharray="6,3"`
    : shape === "dotted"
    ? ` stroke-dasharray="2,2"`
    : "";
  const strokeWidth = shape === "line" ? 2.5 : 2;
  return `<line x1="${x}" x2="${
    x + 20
  }" y1="${cy}" y2="${cy}" stroke="${item.color}" stroke-width="${strokeWidth}"${dash}/>`;
}

const TABLE_ROW_HEIGHT = 22;
const TABLE_PADDING = 10;

function columnWidths(table: TableSpec): number[] {
  return table.columns.map((column) => {
    const cells = [column.label, ...table.rows.map((row) => formatCell(row[column.key]))];
    return Math.max(...cells.map((cell) => textWidth(cell, LAYOUT.fontSize))) + 2 * TABLE_PADDING;
  });
}

function measureTable(table: TableSpec): { width: number; height: number } {
  const width = columnWidths(table).reduce((a, b) => a + b, 0);
  return { width, height: (table.rows.length + 1) * TABLE_ROW_HEIGHT };
}

function renderTableSvg(table: TableSpec, x0: number, y0: number): string {
  const widths = columnWidths(table);
  const total = widths.reduce((a, b) => a + b, 0);
  const parts: string[] = [
    `<rect x="${x0}" y="${y0}" width="${total}" height="${TABLE_ROW_HEIGHT}" fill="#eee"/>`,
  ];
  const cells = [Object.fromEntries(table.columns.map((c) => [c.key, c.label])), ...table.rows];
  cells.forEach((row, r) => {
    const y = y0 + r * TABLE_ROW_HEIGHT;
    if (r > 0 && r % 2 === 0) {
      parts.push(`<rect x="${x0}" y="${y}" width="${total}" height="${TABLE_ROW_HEIGHT}" fill="#f7f7f7"/>`);
    }
    let x = x0;
    table.columns.forEach((column, c) => {
      const right = column.align === "right";
      const tx = right ? x + widths[c]! - TABLE_PADDING : x + TABLE_PADDING;
      parts.push(text(tx, y + TABLE_ROW_HEIGHT / 2 + LAYOUT.fontSize * 0.35, formatCell(row[column.key]), {
        size: LAYOUT.fontSize,
        ...(r === 0 ? { weight: "bold" } : {}),
        anchor: right ? "end" : "start",
      }));
      x += widths[c]!;
    });
  });
  parts.push(
    `<line x1="${x0}" x2="${x0 + total}" y1="${y0 + TABLE_ROW_HEIGHT}" y2="${
      y0 + TABLE_ROW_HEIGHT
    }" stroke="#999"/>`,
  );
  return `<g class="table">${parts.join("")}</g>`;
}
