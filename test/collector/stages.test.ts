// The plan's stages run in both topologies: the same traffic through the inline engine and
// through two collector workers gives equal window sums, with [[exporter]] sampling_rate applied
// by its stage in whichever thread decoded the records.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Engine, StartEngine } from "../../src/collector/engine.ts";
import { startInlineEngine } from "../../src/collector/inline.ts";
import { compilePlan } from "../../src/collector/plan.ts";
import { loadConfig } from "../../src/config/load.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { createLogger } from "../../src/log.ts";
import { rowsOf } from "../../src/store/sink.ts";
import { startWorkerEngine } from "../../src/workers/pool.ts";
import { BUN, MAIN, freeUdpPort } from "../support/collector.ts";

const dir = mkdtempSync(join(tmpdir(), "xf-stages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = createLogger({ level: "error", write: () => {} });
const FLOWS = 20_000;

async function run(workers: number, start: StartEngine) {
  const port = await freeUdpPort();
  const file = join(dir, `w${workers}.toml`);
  writeFileSync(
    file,
    `data_dir = "${dir}"
[collector]
listen = ["127.0.0.1:${port}"]
workers = ${workers}
[[exporter]]
address = "127.0.0.1"
name = "gen"
sampling_rate = 10
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "proto"
  every = "1h"
  key = ["proto"]
  values = ["octets", "flows"]
`,
  );
  const engine: Engine = await start(compilePlan(loadConfig(file, { expressions: expressionChecker })), { log: quiet, saved: null });
  const gen = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", String(FLOWS), "--fps", "100000", "--exporters", "8", "--octets", "100"], { stdout: "ignore", stderr: "pipe" });
  expect(await gen.exited).toBe(0);
  for (let i = 0; i < 100 && engine.decoder.stats.records < FLOWS; i++) await Bun.sleep(100);
  const exports = [...engine.collect(Date.now()), ...(await engine.stop())];
  const sums = { octets: 0, flows: 0 };
  for (const e of exports) {
    const src = rowsOf(e);
    for (const r of src.slice(0, src.count)) {
      sums.octets += r[1] as number;
      sums.flows += r[2] as number;
    }
  }
  return { sums, records: engine.decoder.stats.records, stages: engine.stages };
}

test("a stage of the plan runs inline and in two workers with equal window sums", async () => {
  const inline = await run(1, startInlineEngine);
  const workers = await run(2, startWorkerEngine);
  const want = { sums: { octets: FLOWS * 100 * 10, flows: FLOWS }, records: FLOWS, stages: [{ name: "sampling", counters: { overridden: FLOWS } }] };
  expect(inline).toEqual(want);
  expect(workers).toEqual(want);
}, 30_000);
