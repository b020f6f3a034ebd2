// What a sleep between two reads costs the next one: decode + monitor of one read's worth of
// datagrams (the bench config, generator datagrams), each read after sleeping S ms, on one core.
// A receiver that sleeps between reads (src/receive/pace.ts) finds its tables and code partly
// evicted when it wakes on a shared VM; a worker that gets half the traffic sleeps longer, and
// two workers pay it twice. The figure is the process's CPU per record inside the read (not the
// sleep), after a warm-up that leaves the JIT's compiler threads mostly quiet.
//
//   taskset -c 0 bun test/bench/idle-decay.bench.ts [datagrams per read] [sleeps, ms] [rounds] [gen flags...]
//   e.g. taskset -c 0 bun test/bench/idle-decay.bench.ts 140 0,1,4,9,20 5 --hosts-src 64 --hosts-dst 64
import { loadConfig } from "../../src/config/load.ts";
import { genPool, setup, stat } from "./inproc.ts";

const perRead = Number(process.argv[2] ?? 140);
const sleeps = (process.argv[3] ?? "0,1,4,9,20").split(",").map(Number);
const rounds = Number(process.argv[4] ?? 5);
const gen: Record<string, string> = {};
for (let k = 5; k + 1 < process.argv.length; k += 2) gen[process.argv[k]!.replace(/^--/, "")] = process.argv[k + 1]!;
const SECONDS_PER_POINT = 2;

const pool = genPool(gen);
const { decoder, monitor, batch, process: process_ } = setup(loadConfig("config/examples/bench.toml"), "decode+monitor");
const ex = { addr: "127.0.0.1", id: 0 };
const first = new Uint8Array(2048);
const T0 = Date.now();
decoder.decodeToBatch(first.subarray(0, pool.codec.compose(pool.datagrams[0]!, pool.records, true, first)), ex, T0, batch, process_);

// Arrival times advance as at 1 M flows/s: the 30 s windows close every 30 M records, and
// collect() runs about every 1 000 datagrams (29 ms of simulated time), as the tick would.
let k = 0;
const msPerDatagram = (pool.records * 1000) / 1e6;
function read(): void {
  const dgs = pool.datagrams;
  for (let d = 0; d < perRead; d++, k++) decoder.decodeToBatch(dgs[k % dgs.length]!, ex, T0 + Math.floor(k * msPerDatagram), batch, process_);
  if (batch.length > 0) process_(batch);
  if (k % 1000 < perRead) monitor.collect(T0 + Math.floor(k * msPerDatagram));
}

for (let i = 0; i < 3000; i++) read(); // the JIT's top tier, tables at size
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const results = new Map<number, number[]>(sleeps.map((s) => [s, []]));
for (let r = 0; r < rounds; r++) {
  for (const s of sleeps) {
    let spent = 0;
    let reads = 0;
    for (const end = Date.now() + SECONDS_PER_POINT * 1000; Date.now() < end; reads++) {
      await (s > 0 ? Bun.sleep(s) : new Promise((done) => setImmediate(done)));
      const c0 = cpuNs();
      read();
      spent += cpuNs() - c0;
    }
    results.get(s)!.push(spent / (reads * perRead * pool.records));
  }
}
const keys = monitor.windows.map((w) => `${w.table} ${w.openRows}`).join(", ");
console.log(`${perRead} datagrams of ${pool.records} records per read; ${keys}; CPU ns per record, ${rounds} rounds of ${SECONDS_PER_POINT} s:`);
for (const [s, xs] of results) {
  const { median, min, max } = stat(xs);
  console.log(`  sleep ${String(s).padStart(2)} ms: median ${median.toFixed(0)} (${min.toFixed(0)}–${max.toFixed(0)})`);
}
