// In-process throughput on the issue-6 benchmark configuration: datagrams pre-encoded by the
// generator's encoder (src/gen), then decoded only, decoded and monitored, or decoded to the
// debug flow dump, on one core with no socket in the way. Records/s are per CPU-second of this
// process (other processes on a shared machine do not count) and per wall second.
//
// Simulated arrival times advance as if the datagrams came at `simFps` flows/s, so windows
// close and moving averages decay as they would live; collect() runs once per simulated second
// and its cost is included. Several datagrams go into one batch per monitor.process() call, as
// the pipeline does.
//
// The dump's file is emptied between measured runs (its lines counted first): a file that grows
// by ~120 MB per run takes fresh pages for the page cache, and on this VM write(2) then spends
// 0.2-0.45 s of system time per run instead of 0.02-0.06 (same process, same user time, on ext4
// and on tmpfs alike). Steady state is a page cache that reuses its pages.
//
// Two workers pre-loaded (issue 6 item 4) plug in at `runWorkers` once workers exist.
import { heapSize, fullGC } from "bun:jsc";
import { closeSync, openSync, readSync, rmSync, truncateSync } from "node:fs";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { ianaLookup } from "../../src/expressions.ts";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { openFlowDump } from "../../src/flow/dump.ts";
import { buildPool, type Pool } from "../../src/gen/pool.ts";
import { parseGenArgs } from "../../src/gen/options.ts";
import { createMonitor, requiredExtras } from "../../src/monitor/mo.ts";
import { compilePredicates, extrasFor } from "../../src/collector/predicates.ts";

export interface InProcOptions {
  config: string;
  /** Generator flags (as for `xenoflow gen`), e.g. { "hosts-src": "100000" }. */
  gen: Record<string, string>;
  /** Datagrams per measured run. */
  datagrams: number;
  runs: number;
  simFps: number;
}

export interface Stat {
  median: number;
  min: number;
  max: number;
}

export interface InProcResult {
  stage: string;
  /** Records per CPU-second. */
  cpu: Stat;
  /** Records per wall second. */
  wall: Stat;
  /** JS heap growth over the measured runs, bytes per million records (0 = no allocation left behind). */
  heapPerM: number;
  keys: string;
}

export function stat(xs: readonly number[]): Stat {
  const s = xs.slice().sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

export function genPool(gen: Record<string, string>): Pool {
  const o = parseGenArgs({ to: "127.0.0.1:9", version: "9", ...gen });
  return buildPool(o.pool, { exportMs: Date.now(), uptimeMs: 3_600_000, sequence: 0, domain: 1 });
}

/** dump: the collector in debug mode, decode + monitor + every record written to a file. */
export type Stage = "decode" | "decode+monitor" | "dump";

/** Decoder, monitor and batch of one stage on the config, as the collector builds them. */
export function setup(config: Config, stage: Stage, dumpFile = "") {
  const extras = extrasFor(config, requiredExtras(config, ianaLookup));
  const decoder = createDecoder({ templatesPerExporter: 64, templatesTotal: 1024, pendingBytesPerExporter: 1 << 20, pendingMs: 60_000, extras });
  const monitor = createMonitor(config, compilePredicates(config, extras), { extras, lookup: ianaLookup });
  const batch: FlowBatch = createBatch(extras);
  const dump = stage === "dump" ? openFlowDump(dumpFile) : null;
  const process = stage !== "decode" ? (b: FlowBatch) => { monitor.process(b); b.length = 0; } : (b: FlowBatch) => { b.length = 0; };
  return { decoder, monitor, batch, dump, process };
}

export async function runInProcess(o: InProcOptions, stages: readonly Stage[] = ["decode", "decode+monitor", "dump"]): Promise<InProcResult[]> {
  const config = loadConfig(o.config);
  const pool = genPool(o.gen);
  const ex = { addr: "127.0.0.1", id: 0 };
  const out: InProcResult[] = [];
  const dumpFile = `/tmp/xenoflow-bench-dump-${process.pid}.jsonl`;
  // A run that throws part-way must not leave a dump of a few 100 MB behind.
  try {
    for (const stage of stages) {
      const s = setup(config, stage, dumpFile);
      const first = new Uint8Array(2048);
      const len = pool.codec.compose(pool.datagrams[0]!, pool.records, true, first);
      const T0 = Date.now();
      s.decoder.decodeToBatch(first.subarray(0, len), ex, T0, s.batch, s.process);
      const msPerDatagram = (pool.records * 1000) / o.simFps;
      let k = 0;
      let now = T0;
      let nextCollect = T0 + 1000;
      const lines = s.dump?.lines ?? null;
      const run = (n: number) => {
        const dgs = pool.datagrams;
        for (let d = 0; d < n; d++, k++) {
          const p = dgs[k % dgs.length]!;
          now = T0 + Math.floor(k * msPerDatagram);
          s.decoder.decodeToBatch(p, ex, now, s.batch, s.process, lines);
          if (now >= nextCollect) {
            if (s.batch.length > 0) s.process(s.batch);
            nextCollect += 1000;
            s.monitor.collect(now);
          }
        }
        if (s.batch.length > 0) s.process(s.batch);
      };
      // The dump writes ~400 bytes per record to a file: fewer datagrams keep it to a few 100 MB.
      const perRun = s.dump ? Math.min(o.datagrams, 10_000) : o.datagrams;
      run(Math.min(perRun, 20_000)); // warm-up: the JIT's top tier, tables at size
      const cpu: number[] = [];
      const wall: number[] = [];
      let dumped = 0;
      let growth = 0; // over the measured runs only, not the dump's line count between them
      fullGC();
      for (let r = 0; r < o.runs; r++) {
        const h0 = heapSize();
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        run(perRun);
        const w = (performance.now() - w0) / 1000;
        growth += heapSize() - h0;
        const c = process.cpuUsage(c0);
        const records = perRun * pool.records;
        cpu.push(records / ((c.user + c.system) / 1e6));
        wall.push(records / w);
        if (s.dump) {
          // Whole chunks of whole lines reach the file; what is still buffered follows after the truncate.
          dumped += countLines(dumpFile);
          truncateSync(dumpFile, 0);
        }
      }
      await s.dump?.close();
      if (s.dump) {
        // Every record of every datagram is one line in the file.
        dumped += countLines(dumpFile);
        if (dumped !== k * pool.records) throw new Error(`flow dump: ${dumped} lines for ${k * pool.records} records`);
      }
      const faults = Object.entries(s.decoder.faults).filter(([, n]) => n > 0);
      if (faults.length > 0) throw new Error(`decoder faults in the bench: ${JSON.stringify(faults)}`);
      out.push({
        stage,
        cpu: stat(cpu),
        wall: stat(wall),
        heapPerM: growth / ((o.runs * perRun * pool.records) / 1e6),
        keys: stage === "decode+monitor" ? s.monitor.windows.map((w) => `${w.table} ${w.openRows}`).concat(s.monitor.mavgs.map((a) => `${a.mo}/${a.def.name} ${a.size}`)).join(", ") : "",
      });
    }
  } finally {
    rmSync(dumpFile, { force: true });
  }
  return out;
}

/** Lines in the file, read into one reused buffer: the runs' heap growth must not count it. */
function countLines(file: string): number {
  const fd = openSync(file, "r");
  let lines = 0;
  try {
    for (let n = readSync(fd, scratch); n > 0; n = readSync(fd, scratch)) for (let q = 0; q < n; q++) if (scratch[q] === 10) lines++;
  } finally {
    closeSync(fd);
  }
  return lines;
}
const scratch = new Uint8Array(1 << 20);

if (import.meta.main) {
  const args = process.argv.slice(2);
  const hosts = args[0] ?? "10000";
  const res = await runInProcess({
    config: "config/examples/bench.toml",
    gen: { "hosts-src": hosts, "hosts-dst": hosts, pool: args[1] ?? "1024" },
    datagrams: Number(args[2] ?? 100_000),
    runs: Number(args[3] ?? 3),
    simFps: 4e6,
  });
  for (const r of res) {
    console.log(
      `${r.stage.padEnd(15)} ${(r.cpu.median / 1e6).toFixed(2)} M rec/CPU-s (min ${(r.cpu.min / 1e6).toFixed(2)}, max ${(r.cpu.max / 1e6).toFixed(2)}); ` +
        `wall ${(r.wall.median / 1e6).toFixed(2)} M/s; heap +${Math.round(r.heapPerM)} B/M rec ${r.keys}`,
    );
  }
}
