// Workers with datagrams pre-loaded in memory (issue 6 item 4): the same worker thread the
// collector runs (src/workers/thread.ts), fed by message instead of a socket, so no sender
// competes for the cores. Each worker gets its own exporter and its own copy of the generator's
// pool; flows/s is every worker's records over the wall time from the first feed to the last reply.
//
//   bun test/workers/inproc-bench.ts [hosts] [datagrams per worker] [runs]   (make bench calls workersInProcess)
import { loadConfig } from "../../src/config/load.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { workerPath } from "../../src/workers/path.ts";
import type { FromWorker, ToWorker } from "../../src/workers/protocol.ts";
import { genPool, stat } from "../bench/inproc.ts";

const SIM_FPS = 4e6;

export interface WorkersInProcess {
  /** Flows per wall second and per CPU-second, one entry per run, for one and for two workers. */
  one: { wall: number[]; cpu: number[] };
  two: { wall: number[]; cpu: number[] };
  records: number;
}

export async function workersInProcess(hosts: string, perWorker: number, runs: number): Promise<WorkersInProcess> {
  const config = loadConfig("config/examples/bench.toml", { expressions: expressionChecker });
  const pool = genPool({ "hosts-src": hosts, "hosts-dst": hosts, pool: "1024" });
  const first = new Uint8Array(2048);
  const withTemplate = first.subarray(0, pool.codec.compose(pool.datagrams[0]!, pool.records, true, first));
  const datagrams = pool.datagrams.map((d) => d.slice());
  const measure = (n: number) => measureWorkers(n, { config, pool, withTemplate, datagrams, perWorker, runs });
  const one = await measure(1);
  const two = await measure(2);
  return { one, two, records: pool.records };
}

interface Feed {
  config: ReturnType<typeof loadConfig>;
  pool: ReturnType<typeof genPool>;
  withTemplate: Uint8Array;
  datagrams: Uint8Array[];
  perWorker: number;
  runs: number;
}

async function measureWorkers(n: number, { config, pool, withTemplate, datagrams, perWorker, runs }: Feed): Promise<{ wall: number[]; cpu: number[] }> {
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
  const t0 = Date.now();
  const feed = (count: number, from: number) =>
    Promise.all(
      workers.map((w, i) => {
        const r = next(w, "fed");
        send(w, { type: "feed", datagrams, addr: `127.0.0.${i + 1}`, port: 2055, count, t0: from, msPerDatagram: (pool.records * 1000) / SIM_FPS });
        return r;
      }),
    );
  await Promise.all(
    workers.map((w, i) => {
      const r = next(w, "fed");
      send(w, { type: "feed", datagrams: [withTemplate], addr: `127.0.0.${i + 1}`, port: 2055, count: 1, t0, msPerDatagram: 0 });
      return r;
    }),
  );
  let simMs = t0;
  await feed(20_000, simMs); // warm-up: the JIT's top tier, tables at size
  simMs += (20_000 * pool.records * 1000) / SIM_FPS;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    const fed = await feed(perWorker, simMs);
    const secs = (performance.now() - w0) / 1000;
    // getrusage of the whole process: every thread's CPU time.
    const c = process.cpuUsage(c0);
    simMs += (perWorker * pool.records * 1000) / SIM_FPS;
    const records = fed.reduce((a, f) => a + (f.type === "fed" ? f.records : 0), 0);
    if (records !== n * perWorker * pool.records) throw new Error(`${records} records decoded, ${n * perWorker * pool.records} fed`);
    wall.push(records / secs);
    cpu.push(records / ((c.user + c.system) / 1e6));
  }
  for (const w of workers) w.terminate();
  return { wall, cpu };
}

if (import.meta.main) {
  const perWorker = Number(process.argv[3] ?? 100_000);
  const runs = Number(process.argv[4] ?? 3);
  const { one, two, records } = await workersInProcess(process.argv[2] ?? "10000", perWorker, runs);
  const fmt = (xs: number[]) => {
    const s = stat(xs);
    return `${(s.median / 1e6).toFixed(2)} M flows/s (min ${(s.min / 1e6).toFixed(2)}, max ${(s.max / 1e6).toFixed(2)})`;
  };
  console.log(`1 worker : wall ${fmt(one.wall)}; per CPU-second ${fmt(one.cpu)}`);
  console.log(`2 workers: wall ${fmt(two.wall)}; per CPU-second ${fmt(two.cpu)}`);
  console.log(
    `speed-up : ${(stat(two.wall).median / stat(one.wall).median).toFixed(2)}x wall, ` +
      `${(stat(two.cpu).median / stat(one.cpu).median).toFixed(2)} CPU efficiency (medians; ${runs} runs, ${perWorker} datagrams of ${records} records per worker)`,
  );
}
