// `bun test/attack/spray-bench.ts [--exporters N] [--per K]`: what template spraying costs in
// decode time at the config's default bounds (1024 per exporter, 65 536 in total). N spoofed
// exporters announce K templates each (one datagram each); every 100th datagram is a legitimate
// exporter's data. Prints per-datagram times before and after the total bound is reached, how
// many legitimate flows decoded, and the time to snapshot the template store (the pipeline's
// persist timer does that every second while templates change). A measurement, not a test.
import { LEGIT_TEMPLATE, TEMPLATE_SET, harness, ipfixMessage, legitData, set, templateSpray } from "./wire.ts";

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const exporters = arg("exporters", 6000);
const per = arg("per", 16);
const h = harness();
const SECS = 1_700_000_000;
h.feed("192.0.2.1", ipfixMessage(0, SECS, [set(TEMPLATE_SET, [LEGIT_TEMPLATE])]), 0);
const spray = templateSpray(0, Array.from({ length: per }, (_, k) => 256 + k))[0]!;
const before: number[] = [];
const after: number[] = [];
let legitSent = 0;
let legitFlows = 0;
const started = performance.now();
for (let k = 0; k < exporters; k++) {
  const full = h.decoder.stats.templates >= 65536;
  const t0 = performance.now();
  h.feed(`10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, spray, k);
  (full ? after : before).push(performance.now() - t0);
  if (k % 100 === 99) {
    legitSent += 3;
    legitFlows += h.feed("192.0.2.1", ipfixMessage(0, SECS, [legitData(3, 0)]), k);
  }
}
const seconds = (performance.now() - started) / 1000;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 1000) / 1000;
  return { datagrams: s.length, p50ms: q(0.5), p99ms: q(0.99), maxms: q(1), perSecond: s.length === 0 ? 0 : Math.round(s.length / (s.reduce((a, x) => a + x, 0) / 1000)) };
};
const t0 = performance.now();
const snap = JSON.stringify(h.decoder.templates.snapshot());
const snapshotMs = Math.round(performance.now() - t0);
console.log(JSON.stringify({
  exporters, templatesPerDatagram: per, seconds: Math.round(seconds * 10) / 10,
  beforeBound: stats(before), afterBound: stats(after),
  templates: h.decoder.stats.templates, evicted: h.decoder.faults.templateEvicted,
  legitSent, legitFlows, snapshotMs, snapshotBytes: snap.length,
}, null, 1));
