// Data held for templates that never come (issue 8 item 2, issue 3 item 4): bounded in bytes per
// exporter (oldest pushed out first, counted), expired by age against the caller's clock
// (counted), decoded when the template does come in time; and across spoofed exporters.
import { describe, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { memoryLines } from "../../src/flow/json-bytes.ts";
import { LEGIT_ID, LEGIT_TEMPLATE, TEMPLATE_SET, harness, ipfixMessage, legitData, set, zeroExcept } from "./wire.ts";

const SECS = 1_700_000_000;
/** A data set of `bytes` body bytes for template `id`, which nobody announced. */
const orphan = (id: number, bytes: number) => ipfixMessage(0, SECS, [set(id, [new Uint8Array(bytes).fill(0xab)])]);

describe("held data", () => {
  test("one exporter's orphan data: held bytes stay under pendingBytesPerExporter, older sets evicted, the rest expire", () => {
    const h = harness({ pendingBytesPerExporter: 1 << 20, pendingMs: 30_000 });
    for (let k = 0; k < 10_000; k++) h.feed("203.0.113.66", orphan(256 + (k % 60_000), 1000), k);
    const kept = Math.floor((1 << 20) / 1000);
    expect(h.decoder.stats.heldBytes).toBe(kept * 1000);
    expect(h.decoder.faults).toEqual(zeroExcept(h.decoder.faults, { heldEvicted: 10_000 - kept }));
    h.decoder.expire(9_999 + 30_001);
    expect(h.decoder.stats.heldBytes).toBe(0);
    expect(h.decoder.faults).toEqual(zeroExcept(h.decoder.faults, { heldEvicted: 10_000 - kept, heldExpired: kept }));
  });

  test("a set larger than the per-exporter bound is refused and counted, not held", () => {
    const h = harness({ pendingBytesPerExporter: 512 });
    h.feed("203.0.113.66", orphan(256, 1000), 0);
    expect(h.decoder.stats.heldBytes).toBe(0);
    expect(h.decoder.faults).toEqual(zeroExcept(h.decoder.faults, { unknownTemplate: 1 }));
  });

  test("held data expires on the exporter's next datagram too, and a late template decodes nothing", () => {
    const h = harness({ pendingMs: 5000 });
    h.feed("192.0.2.1", ipfixMessage(0, SECS, [legitData(3, 0)]), 0);
    expect(h.decoder.stats.heldBytes).toBe(36);
    expect(h.feed("192.0.2.1", ipfixMessage(0, SECS, [set(TEMPLATE_SET, [LEGIT_TEMPLATE])]), 5001)).toBe(0);
    expect(h.decoder.faults).toEqual(zeroExcept(h.decoder.faults, { heldExpired: 1 }));
  });

  test("held data is decoded when its template arrives in time, oldest first", () => {
    const h = harness();
    for (let k = 0; k < 5; k++) h.feed("192.0.2.1", ipfixMessage(0, SECS, [legitData(3, 10 * k)]), k);
    const recs = h.records("192.0.2.1", ipfixMessage(0, SECS, [set(TEMPLATE_SET, [LEGIT_TEMPLATE])]), 10);
    // decodeToRecords learned the template; the data held by decodeToBatch comes out as records.
    expect(recs.map((r) => r.sourceIPv4Address)).toEqual([0, 10, 20, 30, 40].flatMap((b) => [0, 1, 2].map((k) => `10.0.0.${b + k}`)));
    expect(recs.every((r) => r.template === LEGIT_ID)).toBe(true);
    expect(h.decoder.stats.heldBytes).toBe(0);
  });

  // Regression (bug found by this suite, fixed in 214513d / efde2c7; see docs/RELIABILITY.md) — was: (src/decode/templates.ts hold(): the bound is per exporter only, and exporters holding
  // data are never forgotten): 10 000 spoofed sources each hold up to pendingBytesPerExporter, so
  // held memory is exporters x pending_bytes (10 000 x 1 MiB = 10 GiB at the defaults) for
  // pending_time. Expected: a total bound (proposed: 64 x pending_bytes), oldest held set evicted first.
  test("held data of 10 000 spoofed exporters stays under a total bound", () => {
    const per = 4096;
    const h = harness({ pendingBytesPerExporter: per });
    for (let k = 0; k < 10_000; k++) h.feed(`10.${(k >> 8) & 255}.${k & 255}.1`, orphan(256, per - 4), 0);
    expect(h.decoder.stats.heldBytes).toBeLessThanOrEqual(64 * per);
  });

  // Regression (bug found by this suite, fixed in 214513d / efde2c7; see docs/RELIABILITY.md) — was: (src/decode/templates.ts hold()/expireHeld()): the bound counts body bytes only, so data
  // sets with 0- or 1-byte bodies are held nearly for free: one exporter's 1468-byte datagrams of
  // 363 empty sets each add 363 Held objects, none counted, all kept for pendingMs; and
  // expireHeld() filters the whole list on each of that exporter's datagrams (O(held) per
  // datagram). Measured: 3 000 such datagrams took 120 s to decode (up to 390 ms each) and kept
  // 3.3 million objects. Expected: each held set charged its body plus a fixed overhead (or empty
  // sets not held at all), and expiry O(expired) from the front of the arrival-ordered list.
  test("tiny orphan sets cannot hold more memory than pendingBytesPerExporter", () => {
    const per = 256 * 1024;
    const h = harness({ pendingBytesPerExporter: per });
    const tiny = ipfixMessage(0, SECS, Array.from({ length: 290 }, (_, k) => set(256 + k, [Uint8Array.of(k & 255)])));
    h.feed("203.0.113.9", tiny, 0); // warm-up
    Bun.gc(true);
    const before = heapStats().heapSize;
    for (let k = 1; k <= 300; k++) h.feed("203.0.113.9", tiny, k);
    Bun.gc(true);
    const grown = heapStats().heapSize - before;
    expect(h.decoder.stats.datagrams).toBe(301); // keeps the decoder alive across the collection
    expect(grown).toBeLessThanOrEqual(2 * per);
  });

  // Regression (bug found by this suite, fixed in 214513d / efde2c7; see docs/RELIABILITY.md) — was: (src/decode/sets.ts dataSet() holds a copy per decode call; src/collector/run.ts onDatagram
  // runs decodeToBatch then, with debug.dump_flows set, decodeToRecords on the same decoder): data
  // that arrives before its template is held twice, and the template's arrival in decodeToBatch
  // replays both copies into the batch, so the windows count those flows twice and the dump
  // never prints them. Expected: each held set decoded once per output. Now the dump is written
  // from the batch's own walk of each datagram.
  test("with dump_flows, held data is counted once in the batch and printed once", () => {
    const h = harness();
    const lines = memoryLines();
    const data = ipfixMessage(0, SECS, [legitData(3, 0)]);
    const tpl = ipfixMessage(0, SECS, [set(TEMPLATE_SET, [LEGIT_TEMPLATE])]);
    for (const [d, at] of [[data, 0], [tpl, 1]] as const) h.decoder.decodeToBatch(d, { addr: "192.0.2.1", id: 0 }, at, h.batch, () => {}, lines);
    expect({ batched: h.batch.length, printed: lines.text().trim().split("\n").length }).toEqual({ batched: 3, printed: 3 });
  });
});
