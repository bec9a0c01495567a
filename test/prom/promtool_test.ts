// Goal: our Registry's text is valid Prometheus exposition by Prometheus's own checker, and our parser
// agrees with it on what is malformed.
// Method: pipe Registry output (counters, gauges, histograms, escaped labels and HELP, NaN/±Inf) through
// `promtool check metrics` (Debian package prometheus). vLLM-style names contain ':', which promtool's
// linter flags (exit 3) although the format allows them; that one lint is accepted. Skipped with a
// message when promtool is not installed.
import assert from "node:assert/strict";
import { parsePrometheusText, Registry } from "../../lib/prom/mod.ts";

const promtool = await findPromtool();
if (promtool === undefined) {
  console.warn("promtool_test: skipped, `promtool` not found (apt-get install prometheus)");
}

async function findPromtool(): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      await Deno.stat(`${dir}/promtool`);
      return `${dir}/promtool`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function checkMetrics(text: string): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(promtool!, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  return { code, output: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

function exampleRegistry(prefix: string): Registry {
  const registry = new Registry();
  const counter = registry.counter({
    name: `${prefix}requests`,
    help: 'Help with \\ and\nnewline and "quotes"',
    labelNames: ["backend"],
  });
  counter.labels({ backend: 'a"b\\c\nd,e' }).inc(2);
  counter.labels({ backend: "" }).inc(0);
  const gauge = registry.gauge({ name: `${prefix}usage_perc`, help: "Usage", labelNames: ["v"] });
  gauge.labels({ v: "nan" }).set(NaN);
  gauge.labels({ v: "inf" }).set(Infinity);
  gauge.labels({ v: "ninf" }).set(-Infinity);
  const histogram = registry.histogram({
    name: `${prefix}ttft_seconds`,
    help: "TTFT",
    labelNames: ["engine"],
    buckets: [0.01, 0.1, 1],
  });
  histogram.labels({ engine: "0" }).observe(0.05);
  histogram.labels({ engine: "1" });
  registry.histogram({ name: `${prefix}only_inf_seconds`, help: "Only +Inf", buckets: [] }).labels({})
    .observe(1);
  return registry;
}

Deno.test({
  name: "Registry.render() passes `promtool check metrics` without lint findings",
  ignore: promtool === undefined,
  fn: async () => {
    const { code, output } = await checkMetrics(exampleRegistry("routebench_").render());
    assert.equal(code, 0, output);
  },
});

Deno.test({
  name: "Registry.render() with vLLM names passes `promtool check metrics` except the ':' naming lint",
  ignore: promtool === undefined,
  fn: async () => {
    const { code, output } = await checkMetrics(exampleRegistry("vllm:").render());
    assert.ok(code === 0 || code === 3, `promtool exit ${code}: ${output}`);
    const findings = output.split("\n").filter((line) => line.trim() !== "");
    for (const line of findings) assert.match(line, /metric names should not contain ':'$/);
  },
});

Deno.test({
  name: "parsePrometheusText() and promtool both reject an unescaped newline in a label value",
  ignore: promtool === undefined,
  fn: async () => {
    const text = 'x{a="b\nc"} 1\n';
    assert.equal((await checkMetrics(text)).code, 1);
    assert.throws(() => parsePrometheusText(text), SyntaxError);
  },
});
