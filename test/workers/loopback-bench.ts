// Over loopback (issue 6 item 4): CPU-seconds per million flows of `xenoflow run` with one worker
// and with two, fed by `xenoflow gen --exporters 4` at a fixed rate on core 1 (test/bench/e2e.ts
// does the measuring: /proc/<pid>/stat over all threads, decoded flows from /metrics).
// Three set-ups: one worker pinned to core 0 (as `make bench` runs it), and one and two workers
// free to use both cores (the sender on core 1 competes with them there). Two workers pinned to
// one core would only measure the two threads evicting each other's tables from the cache.
//
//   bun test/workers/loopback-bench.ts [fps] [seconds] [runs]   (make bench calls workersLoopback)
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startCollector, step } from "../bench/e2e.ts";
import { stat } from "../bench/inproc.ts";

const MIN_WARMUPS = 4;
const WINDOW_MS = 30_000; // config/examples/bench.toml

export interface WorkersLoopback {
  /** CPU-seconds per million flows, one entry per run. */
  pinned: number[];
  one: number[];
  two: number[];
}

export async function workersLoopback(fps: number, seconds: number, runs: number): Promise<WorkersLoopback> {
  const base = readFileSync(resolve("config/examples/bench.toml"), "utf8");
  const measure = (workers: number, cores: string) => measureLoopback(base, workers, cores, fps, seconds, runs);
  return { pinned: await measure(1, "0"), one: await measure(1, "0-1"), two: await measure(2, "0-1") };
}

async function measureLoopback(base: string, workers: number, cores: string, fps: number, seconds: number, runs: number): Promise<number[]> {
  const file = join(tmpdir(), `xenoflow-bench-workers-${workers}-${process.pid}.toml`);
  writeFileSync(file, base.replace(/^workers\s*=.*$/m, `workers = ${workers}`));
  // e2e.ts hands the core to `taskset -c` as text, so a list of cores works as well.
  const c = await startCollector(file, cores as unknown as number);
  const out: number[] = [];
  try {
    // Warm-up: JIT and tables at size, until past the first close of the 30 s windows. Each
    // worker's thread compiles its own code and sees only its share of the traffic, so it reaches
    // the optimising tier later than one thread would. And the first window close takes paths
    // (a record past the window's end, the closed slot's export, a second table in the ring) that
    // the optimised code had never seen: the JIT recompiles the hot path from the kernels up to
    // the decoder, about 0.9 s of compiling per thread (BUN_JSC_reportCompileTimes=1), once per
    // process. Each gen run has new source ports, so the kernel splits the exporters anew:
    // several runs give every worker traffic.
    const pastClose = (Math.floor(Date.now() / WINDOW_MS) + 1) * WINDOW_MS + 4000;
    for (let k = 0; k < MIN_WARMUPS || Date.now() < pastClose; k++) await step(c, fps, 3, ["--exporters", "4"]);
    // The warm-up's step may end while the collector still works off its queue: let that finish
    // before the first measured step reads its starting counters.
    await Bun.sleep(2000);
    for (let r = 0; r < runs; r++) {
      const s = await step(c, fps, seconds, ["--exporters", "4"]);
      console.error(`  workers=${workers} cores ${cores} run ${r + 1}: sent ${s.sent}, decoded ${s.decoded}, kernel drops ${s.kernelDrops}, ${s.cpuPerMFlows.toFixed(3)} CPU-s/M flows`);
      out.push(s.cpuPerMFlows);
    }
  } finally {
    await c.stop();
    rmSync(file, { force: true });
  }
  return out;
}

if (import.meta.main) {
  const fps = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.argv[4] ?? 3);
  const { pinned, one, two } = await workersLoopback(fps, Number(process.argv[3] ?? 5), runs);
  const f = (xs: number[]) => {
    const s = stat(xs);
    return `${s.median.toFixed(3)} (min ${s.min.toFixed(3)}, max ${s.max.toFixed(3)})`;
  };
  console.log(`CPU-s per M flows at ${fps} flows/s, gen --exporters 4 on core 1, medians of ${runs}:`);
  console.log(`1 worker on core 0   : ${f(pinned)}`);
  console.log(`1 worker on cores 0-1: ${f(one)}`);
  console.log(`2 workers on cores 0-1: ${f(two)}`);
  console.log(`2 workers / 1 worker : ${(stat(two).median / stat(pinned).median).toFixed(3)} (pinned), ${(stat(two).median / stat(one).median).toFixed(3)} (same cores)`);
}
