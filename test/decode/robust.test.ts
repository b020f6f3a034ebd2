// Corrupted real datagrams never make the decoder throw or emit records from beyond their sets:
// every corpus datagram, mutated deterministically (bytes flipped, cut short, lengths garbled),
// through both outputs. The mutations are seeded, so a failure reproduces.
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createDecoder } from "../../src/decode/index.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { readCapture } from "../../src/capture/pcap.ts";
import { CORPUS } from "../support/corpus.ts";


function payloads(): Uint8Array[] {
  const files = ["", "extra/", "malformed/"].flatMap((d) => readdirSync(join(CORPUS, d)).filter((f) => f.endsWith(".pcap")).map((f) => join(CORPUS, d, f)));
  return files.flatMap((f) => readCapture(new Uint8Array(readFileSync(f))).datagrams.map((d) => d.payload));
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0; // Numerical Recipes LCG
    return s / 4294967296;
  };
}

describe("robustness", () => {
  test("mutated corpus datagrams: no throw, bounded state, every record counted once", () => {
    const all = payloads();
    expect(all.length).toBeGreaterThan(100);
    const rnd = prng(20261127);
    const d = createDecoder({ templatesPerExporter: 64, templatesTotal: 256, pendingBytesPerExporter: 8192, pendingMs: 1000 });
    const b = createBatch([{ pen: 0, element: 236, type: "string" }], 256);
    let flows = 0;
    let printed = 0;
    const onFull = (x: typeof b) => { flows += x.length; x.length = 0; };
    for (let round = 0; round < 40; round++) {
      for (const p of all) {
        const m = p.slice(0, rnd() < 0.2 ? Math.floor(rnd() * p.length) : p.length);
        const flips = Math.floor(rnd() * 4);
        for (let k = 0; k < flips && m.length > 0; k++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
        const ex = { addr: `192.0.2.${round % 4}`, id: round % 4 };
        d.decodeToBatch(m, ex, round * 100, b, onFull);
        d.decodeToRecords(m, ex, round * 100, () => printed++);
      }
    }
    flows += b.length;
    expect(d.stats.datagrams).toBe(all.length * 80);
    // Every record counted went to exactly one output; options records are printed, never batched.
    expect(d.stats.records).toBe(flows + printed);
    expect(printed).toBeGreaterThan(flows);
    expect(Object.values(d.faults).reduce((a, n) => a + n, 0)).toBeGreaterThan(0);
    expect(d.stats.templates).toBeLessThanOrEqual(256);
  });
});
