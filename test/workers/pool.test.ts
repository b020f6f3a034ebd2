// The worker pool on real sockets: `xenoflow gen` with many exporters against two workers.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { loadTemplates, saveTemplates } from "../../src/state/templates.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { createLogger } from "../../src/log.ts";
import type { WindowExport } from "../../src/store/sink.ts";
import { type WorkerEngine, startWorkers } from "../../src/workers/pool.ts";
import { compilePlan, planChange } from "../../src/collector/plan.ts";
import type { Config } from "../../src/config/types.ts";
import type { Logger } from "../../src/log.ts";
import { rendered } from "../monitor/helpers.ts";
import { BUN, MAIN, freeUdpPort } from "../support/collector.ts";

const dir = mkdtempSync(join(tmpdir(), "xf-workers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function configFor(workers: number, extra = "", top = 5, fixedPort?: number) {
  const port = fixedPort ?? (await freeUdpPort());
  const file = join(dir, `w${workers}.toml`);
  writeFileSync(
    file,
    `data_dir = "${dir}"
[collector]
listen = ["127.0.0.1:${port}"]
workers = ${workers}
recv_buffer = "4MiB"
[storage]
url = "sqlite:${dir}/xf.sqlite"
[http]
listen = ""
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "pairs"
  every = "1h"
  key = ["src host", "dst host"]
  values = ["packets", "flows"]
  [[mo.window]]
  name = "top"
  every = "1h"
  key = ["dst host"]
  values = ["packets"]
  top = ${top}
${extra}
  [[mo.mavg]]
  name = "rate"
  window = "5s"
  key = ["dst host"]
  values = ["packets"]
    [[mo.mavg.limit]]
    name = "any"
    packets = 1
`,
  );
  return { config: loadConfig(file, { expressions: expressionChecker }), port };
}

const quiet = createLogger({ level: "error", write: () => {} });

async function gen(port: number, count: number, exporters: number): Promise<{ flows: number }> {
  const p = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", String(count), "--fps", "100000", "--exporters", String(exporters), "--hosts-src", "50", "--hosts-dst", "40"], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  expect(await p.exited).toBe(0);
  return JSON.parse(out) as { flows: number };
}

/** The worker engine as the collector starts it: the plan of `config`, the saved templates of its data_dir. */
const start = (config: Config, log: Logger = quiet) => startWorkers(compilePlan(config), { log, saved: loadTemplates(config.dataDir) });

async function until(pool: WorkerEngine, records: number): Promise<void> {
  for (let i = 0; i < 100 && pool.decoder.stats.records < records; i++) await Bun.sleep(100);
}

/** Per table: total packets, and whether any key appears twice in one window. */
function totals(exports: readonly WindowExport[]): Record<string, { packets: number; rows: number; repeated: number }> {
  const out: Record<string, { packets: number; rows: number; repeated: number }> = {};
  for (const e of exports) {
    const t = (out[e.table] ??= { packets: 0, rows: 0, repeated: 0 });
    const seen = new Set<string>();
    for (const r of rendered(e).rows) {
      const k = JSON.stringify(r.slice(0, e.keys.length));
      if (seen.has(k)) t.repeated++;
      seen.add(k);
      t.rows++;
      t.packets += r[e.keys.length] as number;
    }
  }
  return out;
}

describe("worker pool", () => {
  test("two workers, sixteen exporters: every flow counted once, each key one row, top-N after the merge", async () => {
    const { config, port } = await configFor(2);
    const pool = await start(config);
    const sent = await gen(port, 60_000, 16);
    await until(pool, sent.flows);
    // Every destination is over the limit: the alert engine sees each one once, at the summed rate.
    await Bun.sleep(600);
    const rates = pool.rates[0]!;
    const keys = Array.from({ length: rates.size }, (_, e) => rates.renderKey(e)[0]);
    expect({ size: rates.size, distinct: new Set(keys).size }).toEqual({ size: 40, distinct: 40 });
    const exports = [...pool.collect(Date.now()), ...(await pool.stop())];
    expect(pool.decoder.stats.records).toBe(60_000);
    // Sixteen source ports hashed over two sockets: both workers get some (all on one: p = 2^-15).
    expect(pool.workers.map((w) => w.datagrams > 0)).toEqual([true, true]);
    // /metrics shows the split per worker: after stop, the workers' final reports add up.
    expect(pool.workers.reduce((sum, w) => sum + w.records, 0)).toBe(60_000);
    expect(totals(exports)).toEqual({
      all_pairs: { packets: 60_000, rows: 50 * 40, repeated: 0 },
      all_top: { packets: 60_000, rows: 6, repeated: 0 },
    });
    // The dashboard's list, from the workers' merged snapshots: sixteen exporters' templates.
    expect(pool.decoder.templates.list().reduce((n, t) => n + t.templates, 0)).toBe(16);
    saveTemplates(dir, pool.decoder.templates.snapshot());
  }, 30_000);

  test("the merged template file restores every exporter's templates, in one decoder or in three workers", async () => {
    const snap = loadTemplates(dir);
    const one = createDecoder({ templatesPerExporter: 64, templatesTotal: 4096, pendingBytesPerExporter: 1 << 20, pendingMs: 5000 });
    expect(one.templates.restore(snap)).toBe(16);
    const { config } = await configFor(3);
    const lines: string[] = [];
    const pool = await start(config, createLogger({ level: "info", write: (l) => lines.push(l) }));
    await pool.stop();
    expect(lines.filter((l) => l.includes("restored"))).toEqual([expect.stringContaining(`restored 16 templates from ${dir} in each of 3 workers`)]);
  }, 30_000);

  test("a reload keeps the windows it did not change, applies a new top-N to them, and adds new windows", async () => {
    const { config, port } = await configFor(2);
    const pool = await start(config);
    await gen(port, 20_000, 8);
    await until(pool, 20_000);
    const added = `  [[mo.window]]
  name = "src"
  every = "1h"
  key = ["src host"]
  values = ["packets"]`;
    const next = compilePlan((await configFor(2, added, 3, port)).config);
    pool.reload(next, planChange(compilePlan(config), next));
    await gen(port, 30_000, 8);
    await until(pool, 50_000);
    const exports = [...pool.collect(Date.now()), ...(await pool.stop())];
    expect(totals(exports)).toEqual({
      all_pairs: { packets: 50_000, rows: 50 * 40, repeated: 0 },
      all_top: { packets: 50_000, rows: 4, repeated: 0 },
      all_src: { packets: 30_000, rows: 50, repeated: 0 },
    });
  }, 30_000);
});
