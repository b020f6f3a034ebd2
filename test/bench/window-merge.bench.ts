// What closing a window costs with two workers: each worker hands its closed table to the main
// thread, which merges the two and renders one export. Before: every worker rendered its rows to
// text and the rows were copied in the message and merged as text; now the tables go as numbers
// (WindowOptions.raw), moved rather than copied, are summed on key words, and rendered once.
//
//   bun test/bench/window-merge.bench.ts [keys] [runs]
import { createBatch } from "../../src/flow/batch.ts";
import { rowCount } from "../../src/flow/export.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";
import { createWindow, type FixedWindow } from "../../src/monitor/window.ts";
import { createWindowMerger, type PartialExport } from "../../src/workers/merge-windows.ts";
import { push, win } from "../monitor/helpers.ts";
import { stat } from "./inproc.ts";

const keys = Number(process.argv[2] ?? 30_000);
const runs = Number(process.argv[3] ?? 7);
const T = 1_700_000_040_000;
const def = win("pairs", 30, ["src host", "dst host"], ["octets", "packets"]);
const specs = def.key.map((k) => parseKey(k, []) as KeySpec);

/** One worker's open window: `keys` pairs, the same pairs in both workers (as with gen). */
function filled(raw: boolean): FixedWindow {
  const w = createWindow("net10", def, specs, [], { raw });
  const b = createBatch([], 1024);
  for (let k = 0; k < keys; k += 1024) {
    b.length = 0;
    for (let i = k; i < Math.min(keys, k + 1024); i++) push(b, { src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dst: `192.0.2.${i % 200}`, octets: 100, packets: 1, at: T + 1 });
    w.addBatch(b, Int32Array.from({ length: b.length }, (_, i) => i), b.length, b.octets.slice(), b.packets.slice());
  }
  return w;
}

function once(raw: boolean): { worker: number; main: number; rows: number } {
  const main = createWindow("net10", def, specs, []);
  const open = [filled(raw), filled(raw)];
  const t0 = performance.now();
  const parts = open.map((w) => w.flush());
  const t1 = performance.now();
  // What the message costs: a structured clone of the rows; raw buffers are transferred instead.
  const sent = parts.map((p) => structuredClone(p, { transfer: p.flatMap((e) => ("raw" in e ? [e.raw.words.buffer, e.raw.vals.buffer] : [])) as ArrayBuffer[] }));
  const t2 = performance.now();
  const m = createWindowMerger(2, () => main.key);
  sent.forEach((p, w) => m.add(w, p.map((exp): PartialExport => ({ end: T + 30_000, top: 0, exp }))));
  const out = m.drainAll();
  const t3 = performance.now();
  // Per worker: each closes and sends its own window.
  return { worker: (t2 - t0) / 2, main: t3 - t2, rows: out[0] ? rowCount(out[0]) : 0 };
}

for (const raw of [false, true]) {
  const r = Array.from({ length: runs }, () => once(raw)).slice(2); // the first two warm the JIT
  const w = stat(r.map((x) => x.worker));
  const m = stat(r.map((x) => x.main));
  console.log(`${raw ? "raw tables " : "text rows  "} ${keys} keys x 2 workers -> ${r[0]!.rows} rows: per worker close+message ${w.median.toFixed(1)} ms (${w.min.toFixed(1)}-${w.max.toFixed(1)}), merge+render ${m.median.toFixed(1)} ms (${m.min.toFixed(1)}-${m.max.toFixed(1)})`);
}
