// The template file in data_dir: written atomically with mode 0600, read back into a new decoder
// that then decodes as the first one did; a missing file is no state, a damaged one an E_INPUT.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FlowRecord, createDecoder } from "../../src/decode/index.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { TEMPLATES_FILE, loadTemplates, saveTemplates } from "../../src/state/templates.ts";
import { EXPORTER, OPTS, set, v9 } from "../decode/wire.ts";

const H = { uptime: 4096, secs: 0x65000000 };

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
