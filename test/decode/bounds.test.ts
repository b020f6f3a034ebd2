// Decoder state bounds under hostile input (src/decode/fair.ts, held.ts, domains.ts, and held data
// replayed into both outputs of one walk in sets.ts), with short inline hex.
import { describe, expect, test } from "bun:test";
import { type FlowRecord, createDecoder } from "../../src/decode/index.ts";
import { createFairShare } from "../../src/decode/fair.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { memoryLines } from "../../src/flow/json-bytes.ts";
import { OPTS, faultsExcept, ipfix, set } from "./wire.ts";

const H = { secs: 0x65000000 };
const TPL = set(2, "012c 0001 0004 0001"); // template 300: protocolIdentifier (1 byte)
const data = (proto: string) => set(300, proto);
// Options template 400: scope samplerId (48, 4 bytes), samplingInterval (34, 4 bytes).
const OPT_TPL = set(3, "0190 0002 0001 0030 0004 0022 0004");
const sampler = (id: number, rate: number) => set(400, id.toString(16).padStart(8, "0") + rate.toString(16).padStart(8, "0"));
const ex = (n: number) => ({ addr: `192.0.2.${n}`, id: n });
type Snap = { exporters: { addr: string; domains: [number, number, number, number | null, [number, number][]][] }[] };

describe("fair share", () => {
  const sizes = new Map<string, number>();
  const fair = createFairShare<string>((o) => sizes.get(o) ?? 0);
  const grow = (o: string, n: number) => {
    const before = sizes.get(o) ?? 0;
    sizes.set(o, before + n);
    fair.resized(o, before);
  };

  test("the least recently active owner above its share gives up, never one at or below it", () => {
    grow("quiet", 1);
    grow("a", 3);
    grow("b", 3);
    fair.touch("quiet"); // most recently active, but that does not matter below the share
    expect(fair.victim(7, "quiet")).toBe("a"); // share 7/3: a and b are above, a least recently active
    fair.touch("a");
    expect(fair.victim(7, "quiet")).toBe("b");
    grow("b", -2);
    grow("a", -2);
    // All at the share (1): the one asking recycles its own; one holding nothing takes the least recently active's.
    expect(fair.victim(3, "a")).toBe("a");
    expect(fair.victim(3, "new")).toBe("b");
  });
});

describe("held data", () => {
  test("entries are bounded as well as bytes: 1-byte sets cannot be held for free", () => {
    const d = createDecoder({ ...OPTS, pendingBytesPerExporter: 1024 }); // 1024 / 256 = 4 entries
    d.decodeToRecords(ipfix(H, ...Array.from({ length: 10 }, (_, k) => set(256 + k, "aa"))), ex(1), 0, () => {});
    expect(d.stats.heldBytes).toBe(4);
    expect(d.faults).toEqual(faultsExcept(d.faults, { heldEvicted: 6 }));
  });

  test("the total bound takes the oldest set of any exporter; empty sets are not held", () => {
    const d = createDecoder({ ...OPTS, pendingBytesPerExporter: 4096, pendingBytesTotal: 1024 });
    for (let n = 1; n <= 6; n++) d.decodeToRecords(ipfix(H, data("0" + n), set(301, "")), ex(n), n, () => {});
    expect(d.stats.heldBytes).toBe(4);
    expect(d.faults).toEqual(faultsExcept(d.faults, { heldEvicted: 2 }));
    // Exporters 1 and 2 lost theirs; 3 still has its set, decoded when its template arrives.
    const out: FlowRecord[] = [];
    for (const n of [2, 3]) d.decodeToRecords(ipfix(H, TPL), ex(n), 10, (r) => out.push(r));
    expect(out).toEqual([{ exporter: "192.0.2.3", version: 10, domain: 0, template: 300, protocolIdentifier: 3 }]);
    d.expire(10 + OPTS.pendingMs - 5); // held at 4..6: 4 is older than pendingMs then
    expect(d.faults).toEqual(faultsExcept(d.faults, { heldEvicted: 2, heldExpired: 1 }));
  });

  test("the batch and the flow dump of one walk: held data comes out once in each, also when its template follows in the same datagram", () => {
    const d = createDecoder(OPTS);
    const b = createBatch([], 64);
    const lines = memoryLines();
    const feed = (p: Uint8Array, at: number) => d.decodeToBatch(p, ex(1), at, b, () => {}, lines);
    feed(ipfix(H, data("06")), 0);
    feed(ipfix(H, data("11"), TPL, data("01")), 1);
    feed(ipfix(H, TPL), 2); // a resend replays nothing
    expect([...b.proto.subarray(0, b.length)]).toEqual([6, 17, 1]);
    const printed = lines.text().trim().split("\n").map((l) => (JSON.parse(l) as FlowRecord).protocolIdentifier);
    expect(printed).toEqual([6, 17, 1]);
    expect(d.stats).toEqual({ templates: 1, heldBytes: 0, records: 3, datagrams: 3 });
  });
});

describe("options state", () => {
  test("a datagram naming a new observation domain keeps no state; options data does", () => {
    const d = createDecoder(OPTS);
    for (let dom = 0; dom < 50; dom++) d.decodeToRecords(ipfix({ ...H, domain: dom }), ex(1), 0, () => {});
    d.decodeToRecords(ipfix({ ...H, domain: 7 }, OPT_TPL, sampler(1, 100)), ex(1), 0, () => {});
    expect((d.templates.snapshot() as Snap).exporters[0]!.domains).toEqual([[10, 7, 0, null, [[1, 100]]]]);
  });

  test("sampler ids per exporter: the least recently announced go first, counted", () => {
    const d = createDecoder({ ...OPTS, optionsPerExporter: 3 }); // the domain and two samplers
    d.decodeToRecords(ipfix(H, OPT_TPL, sampler(1, 100), sampler(2, 200), sampler(1, 100), sampler(3, 300)), ex(1), 0, () => {});
    expect((d.templates.snapshot() as Snap).exporters[0]!.domains).toEqual([[10, 0, 0, null, [[1, 100], [3, 300]]]]);
    expect(d.faults).toEqual(faultsExcept(d.faults, { optionsEvicted: 1 }));
  });

  test("the total bound takes from the exporter above its fair share; a restored snapshot is cut to the bounds", () => {
    const d = createDecoder({ ...OPTS, optionsTotal: 4 });
    d.decodeToRecords(ipfix(H, OPT_TPL, sampler(9, 10)), ex(1), 0, () => {}); // 2 entries: the domain, a sampler
    d.decodeToRecords(ipfix(H, OPT_TPL, sampler(1, 100), sampler(2, 200), sampler(3, 300)), ex(2), 0, () => {});
    const snap = d.templates.snapshot() as Snap;
    expect(snap.exporters.map((e) => e.domains)).toEqual([[[10, 0, 0, null, [[9, 10]]]], [[10, 0, 0, null, [[3, 300]]]]]);
    expect(d.faults).toEqual(faultsExcept(d.faults, { optionsEvicted: 2 }));
    const small = createDecoder({ ...OPTS, optionsPerExporter: 2 });
    small.templates.restore({ ...snap, exporters: [{ addr: "192.0.2.5", templates: [], domains: [[10, 0, 0, null, [[1, 1], [2, 2], [3, 3]]]] }] });
    expect((small.templates.snapshot() as Snap).exporters[0]!.domains).toEqual([[10, 0, 0, null, [[3, 3]]]]);
  });
});
