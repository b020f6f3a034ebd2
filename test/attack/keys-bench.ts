// `bun test/attack/keys-bench.ts [--max-keys N] [--keys K]`: what a key spray costs a moving
// average on the hot path. K distinct destination hosts arrive in batches of 32 records (a
// datagram's worth); when the table holds max_keys keys, each new key past it triggers the
// eviction of an eighth of them inside process(). Prints per-batch times. A measurement, not a test.
import { createBatch } from "../../src/flow/batch.ts";
import { createMonitor } from "../../src/monitor/mo.ts";
import { config, mavg, mo } from "../monitor/helpers.ts";

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const maxKeys = arg("max-keys", 100_000);
const keys = arg("keys", 300_000);
const m = createMonitor(config([mo("all", null, [], [mavg("dst", 5, ["dst host"], ["octets"], maxKeys)])]), new Map());
const b = createBatch([], 4096);
const times: number[] = [];
for (let k = 0; k < keys; k += 32) {
  for (let i = 0; i < 32; i++) {
    b.family[i] = 4;
    b.dstAddr[i * 4] = k + i;
    b.octets[i] = 100;
    b.packets[i] = 1;
    b.sampling[i] = 1;
    b.arrivalMs[i] = 1.7e12 + k;
  }
  b.length = 32;
  const t = performance.now();
  m.process(b);
  times.push(performance.now() - t);
}
const sorted = [...times].sort((x, y) => x - y);
const q = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 1000) / 1000;
console.log(JSON.stringify({
  maxKeys, keys, batches: times.length, p50ms: q(0.5), p999ms: q(0.999), maxms: q(1),
  over50ms: times.filter((t) => t > 50).length, evicted: m.mavgs[0]!.counters.evicted,
}));
