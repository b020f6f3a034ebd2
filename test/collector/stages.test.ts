// The plan's stages run in both topologies: the same traffic through the inline engine and
// through two collector workers gives equal window sums, with [[exporter]] sampling_rate applied
// by its stage in whichever thread decoded the records, and countries by the enrich stage (each
// worker with its own database reader and cache).
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
import { country, writeMmdb } from "../enrich/mmdb-fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "xf-stages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = createLogger({ level: "error", write: () => {} });
const FLOWS = 20_000;
// gen's 10 000 sources are consecutive hosts of 10/8 (10.0.0.1 to 10.0.39.x): three countries' worth.
writeMmdb(join(dir, "country.mmdb"), "DBIP-Country-Lite", { "10.0.0.0/20": country("RU"), "10.0.16.0/20": country("CN") });

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
[enrich]
country = "country.mmdb"
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "proto"
  every = "1h"
  key = ["proto"]
  values = ["octets", "flows"]
  [[mo.window]]
  name = "country"
  every = "1h"
  key = ["src country"]
  values = ["flows"]
`,
  );
  const engine: Engine = await start(compilePlan(loadConfig(file, { expressions: expressionChecker })), { log: quiet, saved: null });
  const gen = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", String(FLOWS), "--fps", "100000", "--exporters", "8", "--octets", "100"], { stdout: "ignore", stderr: "pipe" });
  expect(await gen.exited).toBe(0);
  for (let i = 0; i < 100 && engine.decoder.stats.records < FLOWS; i++) await Bun.sleep(100);
  const exports = [...engine.collect(Date.now()), ...(await engine.stop())];
  const sums = { octets: 0, flows: 0 };
  const countries: Record<string, number> = {};
  for (const e of exports) {
    const src = rowsOf(e);
    for (const r of src.slice(0, src.count)) {
      if (e.window === "country") countries[String(r[0])] = (countries[String(r[0])] ?? 0) + (r[1] as number);
      else {
        sums.octets += r[1] as number;
        sums.flows += r[2] as number;
      }
    }
  }
  // Cache hits and misses depend on how many threads looked up.
  const stages = engine.stages.map((s) => ({ name: s.name, counters: s.name === "enrich" ? { records: s.counters.records, unmarked: s.counters.unmarked } : s.counters }));
  return { sums, countries, records: engine.decoder.stats.records, stages };
}

test("a stage of the plan runs inline and in two workers with equal window sums", async () => {
  const inline = await run(1, startInlineEngine);
  const workers = await run(2, startWorkerEngine);
  const stages: { name: string; counters: Record<string, number> }[] = [
    { name: "sampling", counters: { overridden: FLOWS } },
    { name: "enrich", counters: { records: FLOWS, unmarked: 0 } },
  ];
  const want = { sums: { octets: FLOWS * 100 * 10, flows: FLOWS }, countries: inline.countries, records: FLOWS, stages };
  expect(inline).toEqual(want);
  expect(workers).toEqual(want);
  expect(Object.keys(inline.countries).sort()).toEqual(["CN", "RU", "null"]);
  expect(Object.values(inline.countries).reduce((a, b) => a + b, 0)).toBe(FLOWS);
}, 30_000);
