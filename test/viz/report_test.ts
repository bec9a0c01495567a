// Goal: the report for a results folder contains every plot (SVG and PNG files, inline in the
// HTML), SUMMARY.txt and each run's config, and report.html parses as HTML. Method: plan and write
// the report for the fixture folder into a temp dir; parse the HTML with jsdom.
import assert from "node:assert/strict";
import { join } from "node:path";
import { JSDOM } from "jsdom";
import { planFigures, planReport } from "../../lib/viz/report.ts";
import { writeReport } from "../../lib/viz/report_html.ts";
import { fixtureDir } from "./_helpers.ts";

Deno.test("planReport() + writeReport() write every figure as SVG and PNG and inline it in report.html", async () => {
  const dir = await fixtureDir();
  const out = await Deno.makeTempDir({ prefix: "routebench_report_" });
  try {
    const plan = planReport(dir);
    const figures = planFigures(plan);
    const names = figures.map((f) => f.name);
    assert.equal(new Set(names).size, names.length, "figure names are unique");
    for (
      const expected of [
        "serve_conversations_sweep_results__metric_summary_mean_ttft_ms",
        "serve_conversations_sweep_results__benchmark_comparison_vs_pow2",
        "serve_conversations_sweep_results__median_itl_ms_vs_concurrency",
        "serve_conversations_sweep_results__efficiency_tok_s_gpu_vs_user",
        "engine_conversations_sweep_results__metric_summary_prefix_cache_hit_rate",
        "prefix_ratio_performance",
        "load_distribution_fixture-pow2-r0",
        "prefix_match_rate_router_fixture-prefix_aware-r0",
        "engine_time_to_first_token_fixture-pow2-r0",
        "eviction_policy_fixture-8x-prefix_aware",
        "deployment_overhead_fixture-pow2-r0",
        "routing_matches_fixture-pow2-r0",
      ]
    ) assert.ok(names.includes(expected), `missing ${expected}`);
    const written = await writeReport(plan, out, { png: false });
    assert.equal(written.figures, figures.length);
    for (const name of names) await Deno.stat(join(out, "plots", `${name}.svg`));

    const html = await Deno.readTextFile(join(out, "report.html"));
    const document = new JSDOM(html).window.document;
    assert.equal(document.title, `routebench report: ${dir}`);
    const inline = [...document.querySelectorAll("figure.plot")];
    assert.deepEqual(inline.map((f) => f.getAttribute("data-name")), names);
    for (const figure of inline) {
      assert.ok(figure.querySelector("svg, table"), `${figure.id} has no svg or table`);
    }
    assert.equal(document.querySelectorAll("details pre").length, 3);
    assert.match(document.querySelector("details pre")!.textContent!, /"run_id"/);
    assert.ok(document.querySelectorAll("section").length >= 6);

    const summary = await Deno.readTextFile(join(out, "SUMMARY.txt"));
    assert.match(summary, /serve_conversations_sweep_results\.csv: 22 ok rows/);
    assert.match(summary, /best Mean TTFT \(ms\): /);
    assert.match(summary, /concurrency pow2 · fixture-concurrency: max [\d.]+ req\/s at c\d+/);
    assert.match(summary, /Run folders: 3/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task report writes PNGs, exits 0, and exits 2 with one line for a bad folder", async () => {
  const dir = await fixtureDir();
  const out = await Deno.makeTempDir({ prefix: "routebench_report_cli_" });
  const script = new URL("../../scripts/report.ts", import.meta.url).pathname;
  try {
    const ok = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, "--results", dir, "--out", out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    const pngs = [...Deno.readDirSync(join(out, "plots"))].filter((e) => e.name.endsWith(".png"));
    const svgs = [...Deno.readDirSync(join(out, "plots"))].filter((e) => e.name.endsWith(".svg"));
    assert.equal(pngs.length, svgs.length);
    assert.ok(pngs.length > 30);
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, "--results", join(out, "nope")],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 2);
    const stderr = new TextDecoder().decode(bad.stderr).trim();
    assert.equal(stderr.split("\n").length, 1);
    assert.match(stderr, /^error: Cannot read results folder/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
