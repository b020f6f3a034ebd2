// The flow dump's compiled JSON lines must equal JSON.stringify of the records decodeToRecords
// prints (compile-records.ts), byte for byte, for every template shape: repeated fields, time
// keys that are also fields, variable-length strings, padding, unknown and enterprise elements,
// 64-bit counters above 2^53, options templates.
import { describe, expect, test } from "bun:test";
import { compileJson, compileRecords, type FlowRecord } from "../../src/decode/compile-records.ts";
import { createCtx } from "../../src/decode/context.ts";
import { makeTemplate, type TemplateField, VARLEN } from "../../src/decode/template.ts";
import { memoryLines } from "../../src/flow/json-bytes.ts";

/** Runs the compiled writer into memory; its lines and return value. */
function jsonLines(fn: NonNullable<ReturnType<typeof compileJson>>, b: Uint8Array, x: ReturnType<typeof createCtx>, exporter: string): [number, string[]] {
  const out = memoryLines(64); // small, so reserve() must grow it
  const n = fn(b, 0, b.length, x, exporter, out);
  const text = out.text();
  expect(text === "" || text.endsWith("\n")).toBe(true);
  return [n, text === "" ? [] : text.slice(0, -1).split("\n")];
}

let seed = 12345;
const rnd = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed >>> 24;
};

/** n records of random field bytes; variable-length fields get a length byte and 0..20 bytes. */
function records(fields: readonly TemplateField[], n: number): Uint8Array {
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    for (const f of fields) {
      const len = f.len === VARLEN ? rnd() % 21 : f.len;
      if (f.len === VARLEN) out.push(len);
      for (let k = 0; k < len; k++) out.push(r === 0 ? 0 : r === 1 ? 0xff : rnd());
    }
  }
  return Uint8Array.from(out);
}

const F = (id: number, len: number, pen = 0): TemplateField => ({ id, len, pen });

const SHAPES: [string, number, TemplateField[], boolean][] = [
  ["v9 benchmark layout", 9, [F(8, 4), F(12, 4), F(15, 4), F(10, 2), F(14, 2), F(2, 4), F(1, 4), F(22, 4), F(21, 4), F(7, 2), F(11, 2), F(6, 1), F(4, 1), F(5, 1), F(16, 2), F(17, 2), F(9, 1), F(13, 1), F(60, 1), F(61, 1)], false],
  ["IPFIX with every value kind", 10, [F(1, 8), F(2, 8), F(152, 8), F(153, 8), F(7, 2), F(7, 2), F(27, 16), F(56, 6), F(82, VARLEN), F(210, 3), F(40000, 3), F(1, 2, 9), F(4, 1), F(8, 4), F(8, 4)], false],
  ["relative times and a duration", 10, [F(8, 4), F(150, 4), F(161, 4), F(2, 4), F(0, 0)], false],
  ["no times at all", 9, [F(8, 4), F(12, 4), F(1, 4)], false],
  ["fixed size with every value kind", 10, [F(1, 8), F(152, 8), F(7, 2), F(7, 2), F(27, 16), F(56, 6), F(82, 5), F(210, 3), F(40000, 3), F(1, 2, 9), F(8, 4), F(8, 4), F(160, 8)], false],
  ["options", 10, [F(149, 4), F(34, 4), F(160, 8)], true],
];

describe("compiled JSON lines", () => {
  for (const [name, version, fields, options] of SHAPES) {
    test(`equal JSON.stringify of the printed records: ${name}`, () => {
      const t = makeTemplate(version, 7, 300, fields, options ? 1 : 0, options);
      const b = records(fields, 50);
      const x = createCtx();
      x.version = version;
      x.exportMs = 1_700_000_000_123;
      x.uptime = 3_600_000;
      const objects: string[] = [];
      const n1 = compileRecords(t)(b, 0, b.length, x, "192.0.2.1", (r: FlowRecord) => objects.push(JSON.stringify(r)));
      const json = compileJson(t);
      expect(json).not.toBeNull();
      const [n2, lines] = jsonLines(json!, b, x, "192.0.2.1");
      expect(n2).toBe(n1);
      expect(lines.length).toBe(50);
      expect(lines).toEqual(objects);
    });
  }

  test("a truncated record is reported the same way", () => {
    const fields = [F(8, 4), F(82, VARLEN)];
    const t = makeTemplate(10, 0, 256, fields, 0, false);
    // One whole record, then a length byte promising more than is left.
    const b = Uint8Array.of(10, 0, 0, 1, 2, 0x61, 0x62, 10, 0, 0, 2, 9, 0x61);
    const x = createCtx();
    const a: string[] = [];
    const n1 = compileRecords(t)(b, 0, b.length, x, "::1", (r) => a.push(JSON.stringify(r)));
    const [n2, c] = jsonLines(compileJson(t)!, b, x, "::1");
    expect([n1, n2]).toEqual([-2, -2]);
    expect(c).toEqual(a);
    expect(c).toEqual(['{"exporter":"::1","version":10,"domain":0,"template":256,"sourceIPv4Address":"10.0.0.1","interfaceName":"ab"}']);
  });
});
