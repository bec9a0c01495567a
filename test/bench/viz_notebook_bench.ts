// Goal: notebooks/visualize_results.ipynb executes headless in ≤ 60 s (issue 7). Method: time
// `jupyter nbconvert --to notebook --execute` with the committed kernelspec, 3 runs; prints each
// wall time and the median; exits 1 when the median is over budget.
// Run: deno run -A test/bench/viz_notebook_bench.ts
import { dirname, join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const BUDGET_S = 60;
const times: number[] = [];
for (let i = 0; i < 3; i++) {
  const out = await Deno.makeTempDir({ prefix: "routebench_nb_bench_" });
  const started = performance.now();
  const result = await new Deno.Command("jupyter", {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      join(root, "notebooks/visualize_results.ipynb"),
      "--output-dir",
      out,
    ],
    env: {
      JUPYTER_PATH: join(root, "jupyter"),
      JUPYTER_RUNTIME_DIR: join(out, "runtime"),
      PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH")}`,
    },
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  await Deno.remove(out, { recursive: true });
  if (result.code !== 0) {
    console.error(new TextDecoder().decode(result.stderr));
    Deno.exit(1);
  }
  times.push(seconds);
  console.log(`run ${i + 1}: ${seconds.toFixed(2)} s`);
}
const median = [...times].sort((a, b) => a - b)[1]!;
console.log(`visualize_results.ipynb headless: median ${median.toFixed(2)} s (budget ${BUDGET_S} s)`);
if (median > BUDGET_S) Deno.exit(1);
