import { describe, expect, test } from "bun:test";
import type { FieldDef } from "../../src/config/types.ts";
import { createBatch, type ExtraSpec } from "../../src/flow/batch.ts";
import { compileKey } from "../../src/monitor/key.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";
import { createStringTable } from "../../src/monitor/strings.ts";
import { hashWords } from "../../src/monitor/table.ts";
import { push } from "./helpers.ts";

const fields: FieldDef[] = [
  { name: "vrf", pen: 0, element: 234, type: "uint" },
  { name: "app", pen: 0, element: 96, type: "string" },
];
const extras: ExtraSpec[] = [
  { pen: 0, element: 234, type: "uint" },
  { pen: 0, element: 96, type: "string" },
];

describe("composite keys", () => {
  // Rendered rows for records 2 (empty), 0 (IPv4) and 1 (IPv6).
  const layouts: [string[], (string | number | null)[][]][] = [
    [["src host", "dst host"], [[null, null], ["10.1.2.3", "192.0.2.200"], ["2001:db8:aaaa:bbbb::1", "2001:db8:ffff::2"]]],
    [["src net/20/48", "dst port", "proto"], [[null, 0, 6], ["10.1.0.0/20", 443, 6], ["2001:db8:aaaa::/48", 53, 17]]],
    [["vrf", "dst net/24", "app", "tcp-flags"], [[null, null, null, 0], [2 ** 33, "192.0.2.0/24", "ssh", 0x12], [2 ** 33 + 1, "2001:d00::/24", "dns", 0]]],
    [["exporter", "next hop", "in if", "out if", "vlan"], [[null, null, 0, 0, 0], ["198.51.100.1", "10.0.0.1", 3, 4, 10], ["2001:db8::9", "fe80::1", 4294967295, 0, 0]]],
  ];
  test.each(layouts)("the generated batch writer equals per-record writes and hashWords (%p)", (key, expected) => {
    const k = compileKey(key.map((t) => parseKey(t, fields) as KeySpec), extras);
    const b = createBatch(extras, 8);
    b.strings.push("ssh", "dns");
    const recs = [
      { src: "10.1.2.3", dst: "192.0.2.200", dstPort: 443, proto: 6, tcpFlags: 0x12, exporter: "198.51.100.1", nextHop: "10.0.0.1", inIf: 3, outIf: 4, vlan: 10 },
      { src: "2001:db8:aaaa:bbbb::1", dst: "2001:db8:ffff::2", dstPort: 53, proto: 17, exporter: "2001:db8::9", nextHop: "fe80::1", inIf: 0xffffffff },
      {},
    ];
    recs.forEach((r, n) => {
      const i = push(b, r);
      b.extra[0]!.num[i] = n === 2 ? NaN : 2 ** 33 + n;
      b.extra[1]!.num[i] = n === 2 ? NaN : n;
    });
    const sel = Int32Array.of(2, 0, 1);
    const batchKeys = new Uint32Array(3 * k.words);
    const hashes = new Int32Array(3);
    const st1 = createStringTable();
    k.writeBatch(b, sel, 3, batchKeys, hashes, st1);
    const one = new Uint32Array(3 * k.words);
    const st2 = createStringTable();
    sel.forEach((i, j) => k.write(b, i, one, j * k.words, st2));
    expect(Array.from(batchKeys)).toEqual(Array.from(one));
    expect(Array.from(hashes)).toEqual([0, 1, 2].map((j) => hashWords(one, j * k.words, k.words)));
    const rendered = [0, 1, 2].map((j) => {
      const row: (string | number | null)[] = [];
      k.render(batchKeys, j * k.words, st1, row);
      return row;
    });
    expect(rendered).toEqual(expected);
  });

  test("columns and width follow the fields in order", () => {
    const k = compileKey(["src net/24", "vrf", "app"].map((t) => parseKey(t, fields) as KeySpec), extras);
    expect([k.words, k.columns, k.hasStrings]).toEqual([
      7,
      [
        { name: "src_net", type: "address" },
        { name: "vrf", type: "uint" },
        { name: "app", type: "string" },
      ],
      true,
    ]);
  });
});
