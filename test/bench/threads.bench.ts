// Where the CPU of `xenoflow run` goes, per thread, while `gen` (on core 1) sends at a fixed rate:
// run time from /proc/<pid>/task/<tid>/schedstat (exact, where utime/stime are sampled), context
// switches, the CPU each thread last ran on, and how the kernel split the exporters over the
// workers (xenoflow_worker_flows_total). What docs/PERFORMANCE.md says about two workers over
// loopback comes from here.
//
//   bun test/bench/threads.bench.ts [workers] [cores] [fps] [exporters] [runs] [seconds] [warm-ups] [gen flags...]
//   e.g. bun test/bench/threads.bench.ts 2 0-1 1000000 4 5 5 12
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startCollector, step } from "./e2e.ts";
import { stat } from "./inproc.ts";

const [workers, cores, fps, exporters, runs, seconds, warmups] = [2, "0-1", 1e6, 4, 5, 5, 12].map((d, i) => (process.argv[2 + i] === undefined ? d : typeof d === "number" ? Number(process.argv[2 + i]) : process.argv[2 + i])) as [number, string, number, number, number, number, number];
const flags = ["--exporters", String(exporters), ...process.argv.slice(9)];

interface Thread {
  name: string;
  ns: number;
  voluntary: number;
  involuntary: number;
  cpu: number;
}

function threads(pid: number): Map<string, Thread> {
  const m = new Map<string, Thread>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const at = `/proc/${pid}/task/${tid}`;
      const st = readFileSync(`${at}/status`, "utf8");
      const s = readFileSync(`${at}/stat`, "utf8");
      m.set(tid, {
        name: readFileSync(`${at}/comm`, "utf8").trim(),
        ns: Number(readFileSync(`${at}/schedstat`, "utf8").split(" ")[0]),
        voluntary: Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(st)?.[1]),
        involuntary: Number(/^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(st)?.[1]),
        // Field 39 of proc(5) stat, counted from the one after the command name.
        cpu: Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[36]),
      });
    } catch {
      // The thread ended between readdir and read.
    }
  }
  return m;
}

const file = join(tmpdir(), `xenoflow-threads-${process.pid}.toml`);
writeFileSync(file, readFileSync(resolve("config/examples/bench.toml"), "utf8").replace(/^workers\s*=.*$/m, `workers = ${workers}`));
const c = await startCollector(file, cores as unknown as number);
try {
  // Past the first window close, as test/workers/loopback-bench.ts explains (12 x 3 s by default).
  for (let k = 0; k < warmups; k++) await step(c, fps, 3, flags);
  await Bun.sleep(2000);
  const perM: number[] = [];
  for (let r = 0; r < runs; r++) {
    const m0 = await c.metrics();
    const t0 = threads(c.pid);
    const s = await step(c, fps, seconds, flags);
    const t1 = threads(c.pid);
    const m1 = await c.metrics();
    const split = Array.from({ length: workers > 1 ? workers : 0 }, (_, w) => {
      const k = `xenoflow_worker_flows_total{worker="${w}"}`;
      return (m1.get(k) ?? 0) - (m0.get(k) ?? 0);
    });
    let total = 0;
    const rows: string[] = [];
    for (const [tid, b] of t1) {
      const a = t0.get(tid) ?? { ns: 0, voluntary: 0, involuntary: 0 };
      const sec = (b.ns - a.ns) / 1e9;
      total += sec;
      if (sec >= 0.005) rows.push(`  ${`${b.name} ${tid}`.padEnd(22)} ${sec.toFixed(3)} s  switches ${b.voluntary - a.voluntary} voluntary, ${b.involuntary - a.involuntary} involuntary; last on cpu ${b.cpu}`);
    }
    perM.push(total / (s.decoded / 1e6));
    console.log(`run ${r + 1}: ${perM[r]!.toFixed(3)} CPU-s per M flows, ${s.decoded} decoded, ${s.kernelDrops} kernel drops${split.length > 0 ? `, split ${split.join(" / ")}` : ""}`);
    for (const row of rows.sort()) console.log(row);
  }
  const st = stat(perM);
  console.log(`workers=${workers} cores ${cores}: median ${st.median.toFixed(3)} (min ${st.min.toFixed(3)}, max ${st.max.toFixed(3)}) CPU-s per M flows`);
} finally {
  await c.stop();
  rmSync(file, { force: true });
}
