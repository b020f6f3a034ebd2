// `bun test/fuzz/run.ts --seed S --count N [--pipeline] [--max-ms MS] [--per-record-ms MS] [--max-growth MIB]`
// Feeds N mutated datagrams through the decoder (and with --pipeline the bench.toml monitor),
// prints a JSON summary on stdout (progress on stderr) and exits 1 when an exception escaped,
// a datagram took longer than --max-ms plus --per-record-ms for each record it yielded, or
// memory kept growing after warm-up.
import { mkdirSync } from "node:fs";
import { FIXTURES } from "./fixture.ts";
import { runFuzz } from "./harness.ts";
import { allStreams } from "./seeds.ts";

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const seed = Number(arg("seed", "1"));
const count = Number(arg("count", "100000"));
const maxMs = Number(arg("max-ms", "50"));
const perRecordMs = Number(arg("per-record-ms", "0.05"));
// Heap (after a full GC) may wander this much after warm-up; growth with the datagram count is
// what the slope catches.
const maxGrowth = Number(arg("max-growth", "32"));
const pipeline = process.argv.includes("--pipeline");
if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 1 || !(maxMs > 0) || !(perRecordMs >= 0)) {
  console.error("usage: bun test/fuzz/run.ts --seed S --count N [--pipeline] [--max-ms MS] [--per-record-ms MS] [--max-growth MIB]");
  process.exit(1);
}

mkdirSync(FIXTURES, { recursive: true });
const streams = allStreams();
const started = Date.now();
const summary = runFuzz({
  seed, count, pipeline, streams, maxMs, perRecordMs, fixtureDir: FIXTURES,
  sampleEvery: Math.min(100_000, Math.max(1000, Math.floor(count / 20))),
  progress: (done) => {
    const rate = Math.round(done / ((Date.now() - started) / 1000));
    process.stderr.write(`fuzz: ${done}/${count} datagrams, ${rate}/s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MiB\n`);
  },
});

const t = summary.trend;
const growing = summary.memory.length >= 8 && (t.heapSpreadMiB > maxGrowth || t.heapSlopeMiBPerM * (count / 1e6) > maxGrowth);
const ok = summary.crashes.length === 0 && summary.overBound === 0 && !growing;
console.log(JSON.stringify({
  ok, streams: streams.length, datagramsPerSecond: Math.round(summary.datagrams / summary.seconds), memoryGrowing: growing, ...summary,
}, null, 1));
process.exit(ok ? 0 : 1);
