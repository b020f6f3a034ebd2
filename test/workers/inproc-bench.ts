// Workers with datagrams pre-loaded in memory (issue 6 item 4): the same worker thread the
// collector runs (src/workers/thread.ts), fed by message instead of a socket, so no sender
// competes for the cores. Each worker gets its own exporter and its own copy of the generator's
// pool; flows/s is every worker's records over the wall time from the first feed to the last reply.
// One worker and two are measured in alternation and compared round by round.
//
//   bun test/workers/inproc-bench.ts [hosts] [datagrams per worker] [runs]   (make bench calls workersInProcess)
import { loadConfig } from "../../src/config/load.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { workerPath } from "../../src/workers/path.ts";
import type { FromWorker, ToWorker } from "../../src/workers/protocol.ts";
import { genPool, stat } from "../bench/inproc.ts";

const SIM_FPS = 4e6;

export interface WorkersInProcess {
  /** Flows per wall second and per CPU-second, one entry per round, for one and for two workers. */
  one: { wall: number[]; cpu: number[] };
  two: { wall: number[]; cpu: number[] };
  /** Two workers' flows per wall second over one worker's, per round. */
  ratios: number[];
  records: number;
}

// Both set-ups are started and warmed first, then measured in turn, round by round (the idle one
// waits on its timers): this machine's speed drifts by tens of per cent within minutes, so a
// ratio of runs minutes apart compares two different machines (as in loopback-bench.ts).
export async function workersInProcess(hosts: string, perWorker: number, runs: number): Promise<WorkersInProcess> {
  const config = loadConfig("config/examples/bench.toml", { expressions: expressionChecker });
  const pool = genPool({ "hosts-src": hosts, "hosts-dst": hosts, pool: "1024" });
  const first = new Uint8Array(2048);
  const withTemplate = first.subarray(0, pool.codec.compose(pool.datagrams[0]!, pool.records, true, first));
  const datagrams = pool.datagrams.map((d) => d.slice());
  const feed: Feed = { config, pool, withTemplate, datagrams, perWorker };
  const sets = [await startSet(1, feed), await startSet(2, feed)] as const;
  try {
    for (const s of sets) await s.warm();
    const out: WorkersInProcess = { one: { wall: [], cpu: [] }, two: { wall: [], cpu: [] }, ratios: [], records: pool.records };
    for (let r = 0; r < runs; r++) {
      for (const [i, s] of sets.entries()) {
        const m = await s.run();
        const into = i === 0 ? out.one : out.two;
        into.wall.push(m.wall);
        into.cpu.push(m.cpu);
      }
      out.ratios.push(out.two.wall[r]! / out.one.wall[r]!);
    }
    return out;
  } finally {
    for (const s of sets) s.stop();
  }
}

interface Feed {
  config: ReturnType<typeof loadConfig>;
  pool: ReturnType<typeof genPool>;
  withTemplate: Uint8Array;
  datagrams: Uint8Array[];
  perWorker: number;
}

interface WorkerSet {
  /** The template, then 20 000 datagrams per worker: the JIT's top tier, tables at size. */
  warm(): Promise<void>;
  /** perWorker datagrams to every worker at once: records per wall second and per CPU-second. */
  run(): Promise<{ wall: number; cpu: number }>;
  stop(): void;
}

async function startSet(n: number, { config, pool, withTemplate, datagrams, perWorker }: Feed): Promise<WorkerSet> {
  const workers = Array.from({ length: n }, () => new Worker(workerPath("workers/thread.ts")));
  const next = (w: Worker, type: FromWorker["type"]) =>
    new Promise<FromWorker>((resolve, reject) => {
      const on = (ev: MessageEvent<FromWorker>) => {
        if (ev.data.type === "failed") reject(new Error(ev.data.message));
        if (ev.data.type !== type) return;
        w.removeEventListener("message", on);
        resolve(ev.data);
      };
      w.addEventListener("message", on);
    });
  const send = (w: Worker, m: ToWorker) => w.postMessage(m);
  await Promise.all(
    workers.map((w, i) => {
      const r = next(w, "ready");
      send(w, { type: "init", index: i, count: n, config, listen: [], templates: null });
      return r;
    }),
  );
  // Simulated time: each feed continues where the last one ended, so windows close as they would.
  let simMs = Date.now();
  const msPerDatagram = (pool.records * 1000) / SIM_FPS;
  const feed = (list: Uint8Array[], count: number) => {
    const from = simMs;
    simMs += count * msPerDatagram;
    return Promise.all(
      workers.map((w, i) => {
        const r = next(w, "fed");
        send(w, { type: "feed", datagrams: list, addr: `127.0.0.${i + 1}`, port: 2055, count, t0: from, msPerDatagram });
        return r;
      }),
    );
  };
  return {
    async warm() {
      await feed([withTemplate], 1);
      await feed(datagrams, 20_000);
    },
    async run() {
      const w0 = performance.now();
      const c0 = process.cpuUsage();
      const fed = await feed(datagrams, perWorker);
      const secs = (performance.now() - w0) / 1000;
      // getrusage of the whole process: every thread's CPU time (the idle set's timers too, a few ms).
      const c = process.cpuUsage(c0);
      const records = fed.reduce((a, f) => a + (f.type === "fed" ? f.records : 0), 0);
      if (records !== n * perWorker * pool.records) throw new Error(`${records} records decoded, ${n * perWorker * pool.records} fed`);
      return { wall: records / secs, cpu: records / ((c.user + c.system) / 1e6) };
    },
    stop() {
      for (const w of workers) w.terminate();
    },
  };
}

if (import.meta.main) {
  const perWorker = Number(process.argv[3] ?? 100_000);
  const runs = Number(process.argv[4] ?? 3);
  const { one, two, ratios, records } = await workersInProcess(process.argv[2] ?? "10000", perWorker, runs);
  const fmt = (xs: number[]) => {
    const s = stat(xs);
    return `${(s.median / 1e6).toFixed(2)} M flows/s (min ${(s.min / 1e6).toFixed(2)}, max ${(s.max / 1e6).toFixed(2)})`;
  };
  console.log(`1 worker : wall ${fmt(one.wall)}; per CPU-second ${fmt(one.cpu)}`);
  console.log(`2 workers: wall ${fmt(two.wall)}; per CPU-second ${fmt(two.cpu)}`);
  console.log(
    `speed-up : ${stat(ratios).median.toFixed(2)}x wall (per round; min ${stat(ratios).min.toFixed(2)}, max ${stat(ratios).max.toFixed(2)}), ` +
      `${(stat(two.cpu).median / stat(one.cpu).median).toFixed(2)} CPU efficiency (medians; ${runs} runs, ${perWorker} datagrams of ${records} records per worker)`,
  );
}
