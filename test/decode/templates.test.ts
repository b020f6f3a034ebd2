import { describe, expect, test } from "bun:test";
import { type FlowRecord, createDecoder } from "../../src/decode/index.ts";
import { listSnapshot } from "../../src/decode/snapshot.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { EXPORTER, OPTS, faultsExcept, records, set, v9 } from "./wire.ts";

const H = { uptime: 4096, secs: 0x65000000 };
const tpl = (id: number) => set(0, `${id.toString(16).padStart(4, "0")} 0001 0004 0001`);
const data = (id: number, proto: string) => set(id, `${proto} 000000`);
const rec = (template: number, protocolIdentifier: number) => ({ exporter: "192.0.2.1", version: 9, domain: 0, template, protocolIdentifier });
const recs4 = (template: number, proto: number) => [rec(template, proto), rec(template, 0), rec(template, 0), rec(template, 0)];

describe("held data", () => {
  test("data before its template is held and decoded when the template arrives", () => {
    const r = records([[v9(H, data(300, "06")), 1000], [v9(H, data(300, "11")), 1100], [v9(H, tpl(300)), 1200]]);
    expect(r.out).toEqual([...recs4(300, 6), ...recs4(300, 17)]);
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
    expect(r.decoder.stats).toEqual({ templates: 1, heldBytes: 0, records: 8, datagrams: 3 });
  });

  test("held data older than pendingMs (by the caller's arrival times) expires, counted", () => {
    const r = records([[v9(H, data(300, "06")), 1000], [v9(H, data(300, "11")), 5500], [v9(H, tpl(300)), 6001]]);
    expect(r.out).toEqual(recs4(300, 17));
    expect(r.faults).toEqual(faultsExcept(r.faults, { heldExpired: 1 }));
  });

  test("held bytes are bounded per exporter: the oldest is evicted, counted; too big is unknownTemplate", () => {
    const r = records([[v9(H, data(300, "06"), data(301, "11")), 0], [v9(H, tpl(300), tpl(301)), 10]], { pendingBytesPerExporter: 4 });
    expect(r.out).toEqual(recs4(301, 17));
    expect(r.faults).toEqual(faultsExcept(r.faults, { heldEvicted: 1 }));
    const big = records([[v9(H, data(300, "06")), 0]], { pendingBytesPerExporter: 3 });
    expect(big.faults).toEqual(faultsExcept(big.faults, { unknownTemplate: 1 }));
    expect(big.decoder.stats.heldBytes).toBe(0);
  });

  test("expire() drops what is still held", () => {
    const r = records([[v9(H, data(300, "06")), 0]]);
    expect(r.decoder.stats.heldBytes).toBe(4);
    r.decoder.expire(Number.POSITIVE_INFINITY);
    expect(r.decoder.stats.heldBytes).toBe(0);
    expect(r.decoder.faults.heldExpired).toBe(1);
  });
});

describe("template bounds", () => {
  test("per exporter: the least recently used template is evicted and counted", () => {
    const r = records([[v9(H, tpl(300), tpl(301)), 0], [v9(H, data(300, "06")), 0], [v9(H, tpl(302)), 0], [v9(H, data(300, "06"), data(301, "11")), 0]],
      { templatesPerExporter: 2, pendingBytesPerExporter: 0 });
    expect(r.out).toEqual([...recs4(300, 6), ...recs4(300, 6)]);
    expect(r.faults).toEqual(faultsExcept(r.faults, { templateEvicted: 1, unknownTemplate: 1 }));
    expect(r.decoder.stats.templates).toBe(2);
  });

  test("in total, across exporters", () => {
    const d = createDecoder({ ...OPTS, templatesTotal: 2 });
    d.decodeToRecords(v9(H, tpl(300)), { addr: "192.0.2.1", id: 0 }, 0, () => {});
    d.decodeToRecords(v9(H, tpl(300)), { addr: "192.0.2.2", id: 1 }, 0, () => {});
    d.decodeToRecords(v9(H, tpl(300)), { addr: "192.0.2.3", id: 2 }, 0, () => {});
    expect(d.stats.templates).toBe(2);
    expect(d.faults.templateEvicted).toBe(1);
  });

  test("a resent identical template is not a change; a different one replaces it", () => {
    const d = createDecoder(OPTS);
    d.decodeToRecords(v9(H, tpl(300)), EXPORTER, 0, () => {});
    expect(d.templates.dirty).toBe(true);
    d.templates.snapshot(); // only reads: the caller that saves it clears the flag
    expect(d.templates.dirty).toBe(true);
    d.templates.dirty = false;
    d.decodeToRecords(v9(H, tpl(300)), EXPORTER, 0, () => {});
    expect(d.templates.dirty).toBe(false);
    d.decodeToRecords(v9(H, set(0, "012c 0001 0007 0002")), EXPORTER, 0, () => {});
    const out: FlowRecord[] = [];
    d.decodeToRecords(v9(H, set(300, "0050")), EXPORTER, 0, (r) => out.push(r));
    expect(out).toEqual([{ exporter: "192.0.2.1", version: 9, domain: 0, template: 300, sourceTransportPort: 80 }]);
    expect(d.templates.dirty).toBe(true);
  });
});

describe("listing", () => {
  test("templates and learned sampling rates per exporter, the same from the store and from its snapshot", () => {
    const d = createDecoder(OPTS);
    // Options template 400: scope System (4 bytes), samplingInterval (34, 4 bytes), samplerMode (35, 1 byte).
    const opt = set(1, "0190 0004 0008  0001 0004  0022 0004  0023 0001");
    d.decodeToRecords(v9(H, opt, set(400, "00000000 00000064 02 000000"), tpl(300)), EXPORTER, 0, () => {});
    d.decodeToRecords(v9(H, tpl(301)), { addr: "192.0.2.2", id: 1 }, 0, () => {});
    const listed = [
      { addr: "192.0.2.1", templates: 2, samplingRates: [100] },
      { addr: "192.0.2.2", templates: 1, samplingRates: [] },
    ];
    expect(d.templates.list()).toEqual(listed);
    expect(listSnapshot(JSON.parse(JSON.stringify(d.templates.snapshot())))).toEqual(listed);
    expect(d.templates.dirty).toBe(true); // listing and snapshotting change nothing
    // Damaged rows list what is whole; another format lists nothing.
    const snap = d.templates.snapshot() as { exporters: { domains: unknown[] }[] };
    snap.exporters[0]!.domains.push("x", [9, 1, 7, null, "y"]);
    expect(listSnapshot(snap)).toEqual([{ ...listed[0]!, samplingRates: [7, 100] }, listed[1]!]);
    expect(listSnapshot({ format: "other", exporters: snap.exporters })).toEqual([]);
  });
});
