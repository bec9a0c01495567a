// Goal: every notebook runs headless on the Deno kernel without a cell error. Method: `jupyter
// nbconvert --to notebook --execute` with the committed kernelspec (JUPYTER_PATH=<repo>/jupyter,
// deno on PATH, runtime files in a temp dir), output to a temp dir; a cell error makes nbconvert
// exit non-zero. Notebooks that need a library part not yet exported from lib/mod.ts are skipped
// with the reason.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const jupyter = await which("jupyter");
const libMod: Record<string, unknown> = await import("../lib/mod.ts");

const notebooks: { file: string; needs: string[] }[] = [
  { file: "visualize_results.ipynb", needs: ["metricSummary", "loadRun"] },
  { file: "sweep.ipynb", needs: ["runStrategySweep", "startFleet"] },
  { file: "prefix_tree_operations.ipynb", needs: ["PrefixTree"] },
];

for (const { file, needs } of notebooks) {
  const missing = needs.filter((name) => !(name in libMod));
  const reason = jupyter === undefined
    ? "jupyter is not installed (apt: jupyter-nbconvert python3-nbclient jupyter-client jupyter-core)"
    : missing.length > 0
    ? `lib/mod.ts does not export ${missing.join(", ")} yet`
    : undefined;
  Deno.test({
    name: `notebooks/${file} executes headless without a cell error${reason ? ` (skipped: ${reason})` : ""}`,
    ignore: reason !== undefined,
    async fn() {
      let run = await executeNotebook(file);
      // The Deno kernel sometimes (3 of 21 runs with both cores busy, 0 of 36 later) answers the last
      // cell with busy → execute_input → idle and no execute_result; the kernel's race, not the
      // notebook's. One more execution tells that apart from a notebook that really shows nothing.
      if (run.displays === 0 && run.errors === 0) {
        console.warn(`${file}: no display output (outputs per cell: ${run.outputsPerCell}); executing again`);
        run = await executeNotebook(file);
      }
      assert.equal(run.errors, 0, `${file} has cell errors`);
      assert.ok(
        run.displays > 0,
        `${file} displayed nothing; outputs per cell: ${run.outputsPerCell}\n${run.stderr.slice(-2000)}`,
      );
    },
  });
}

/** One headless execution: its cell errors, display outputs, output types per cell and nbconvert's stderr. */
async function executeNotebook(
  file: string,
): Promise<{ errors: number; displays: number; outputsPerCell: string; stderr: string }> {
  const out = await Deno.makeTempDir({ prefix: "routebench_nb_" });
  try {
    const result = await new Deno.Command(jupyter!, {
      args: [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=300",
        // nbclient stops collecting a cell's outputs 4 s (its default) after the execute reply; a
        // figure rendered while the 2 cores are busy can come later, and was then silently lost.
        "--ExecutePreprocessor.iopub_timeout=60",
        "--ExecutePreprocessor.kernel_name=deno",
        join(root, "notebooks", file),
        "--output-dir",
        out,
      ],
      env: {
        JUPYTER_PATH: join(root, "jupyter"),
        JUPYTER_RUNTIME_DIR: join(out, "runtime"),
        JUPYTER_DATA_DIR: join(out, "data"),
        JUPYTER_CONFIG_DIR: join(out, "config"),
        PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 0, `nbconvert failed for ${file}:\n${stderr.slice(-3000)}`);
    const executed: { cells: { cell_type: string; outputs?: { output_type: string }[] }[] } = JSON.parse(
      await Deno.readTextFile(join(out, file)),
    );
    const outputs = executed.cells.flatMap((cell) => cell.outputs ?? []);
    return {
      errors: outputs.filter((o) => o.output_type === "error").length,
      displays: outputs.filter((o) => o.output_type === "display_data" || o.output_type === "execute_result")
        .length,
      outputsPerCell: executed.cells.map((cell) =>
        cell.cell_type === "code" ? `[${(cell.outputs ?? []).map((o) => o.output_type).join(",")}]` : "md"
      ).join(" "),
      stderr,
    };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

Deno.test("notebooks are committed without outputs and use the deno kernelspec", async () => {
  for (const { file } of notebooks) {
    const notebook = JSON.parse(await Deno.readTextFile(join(root, "notebooks", file)));
    assert.equal(notebook.metadata.kernelspec.name, "deno", file);
    for (const cell of notebook.cells) {
      if (cell.cell_type !== "code") continue;
      assert.deepEqual(cell.outputs, [], `${file} has outputs`);
      assert.equal(cell.execution_count, null, `${file} has execution counts`);
    }
  }
  const spec = JSON.parse(await Deno.readTextFile(join(root, "jupyter/kernels/deno/kernel.json")));
  assert.deepEqual(spec.argv, ["deno", "jupyter", "--kernel", "--conn", "{connection_file}"]);
});

async function which(command: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const path = join(dir, command);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}
