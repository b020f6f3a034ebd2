import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FlowRecord, createDecoder } from "../../src/decode/index.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { TEMPLATES_FILE, loadTemplates, saveTemplates } from "../../src/decode/persist.ts";
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
    d.templates.snapshot();
    expect(d.templates.dirty).toBe(false);
    d.decodeToRecords(v9(H, tpl(300)), EXPORTER, 0, () => {});
    expect(d.templates.dirty).toBe(false);
    d.decodeToRecords(v9(H, set(0, "012c 0001 0007 0002")), EXPORTER, 0, () => {});
    const out: FlowRecord[] = [];
    d.decodeToRecords(v9(H, set(300, "0050")), EXPORTER, 0, (r) => out.push(r));
    expect(out).toEqual([{ exporter: "192.0.2.1", version: 9, domain: 0, template: 300, sourceTransportPort: 80 }]);
    expect(d.templates.dirty).toBe(true);
  });
});

describe("restart", () => {
  test("templates and options state persisted, restored into a new decoder, decode the same records", () => {
    const dir = mkdtempSync(join(tmpdir(), "xenoflow-tpl-"));
    try {
      const opt = set(1, "0190 0004 0008  0001 0004  0022 0004  0023 0001");
      const flow = set(0, "0100 0002 0008 0004 0002 0004");
      const first = createDecoder(OPTS);
      first.decodeToRecords(v9(H, opt, set(400, "00000000 00000064 02 000000"), flow), EXPORTER, 0, () => {});
      const dataDgram = v9(H, set(256, "0a000001 00000005"));
      const before: FlowRecord[] = [];
      first.decodeToRecords(dataDgram, EXPORTER, 0, (r) => before.push(r));
      expect(before).toHaveLength(1);

      saveTemplates(join(dir, "var"), first.templates.snapshot()); // the data dir is created when missing
      expect(statSync(join(dir, "var", TEMPLATES_FILE)).mode & 0o777).toBe(0o600);
      saveTemplates(dir, first.templates.snapshot());

      const second = createDecoder(OPTS);
      expect(second.templates.restore(loadTemplates(dir))).toBe(2);
      expect(second.templates.dirty).toBe(false);
      const after: FlowRecord[] = [];
      second.decodeToRecords(dataDgram, EXPORTER, 0, (r) => after.push(r));
      expect(after).toEqual(before);
      // The options-derived sampling rate survived too.
      const b = createBatch([], 4);
      second.decodeToBatch(dataDgram, EXPORTER, 0, b, () => {});
      expect([b.length, b.sampling[0]]).toEqual([1, 100]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("no file is null; a damaged file is E_INPUT; a foreign snapshot restores nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "xenoflow-tpl-"));
    try {
      expect(loadTemplates(dir)).toBeNull();
      writeFileSync(join(dir, TEMPLATES_FILE), "{not json");
      expect(() => loadTemplates(dir)).toThrow(expect.objectContaining({ code: "E_INPUT" }));
      const d = createDecoder(OPTS);
      expect(d.templates.restore({ format: "something else", exporters: [] })).toBe(0);
      expect(d.templates.restore({ format: "xenoflow-templates/1", exporters: [{ addr: "192.0.2.1", templates: [[9, 0, 300, 0, 0, [4, 0, 1]], [9, 0, 5, 0, 0, [4]], "x"], domains: [] }] })).toBe(1);
      expect(d.stats.templates).toBe(1);
      expect(readFileSync(join(dir, TEMPLATES_FILE), "utf8")).toBe("{not json");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
