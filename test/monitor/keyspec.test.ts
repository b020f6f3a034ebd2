import { describe, expect, test } from "bun:test";
import type { FieldDef } from "../../src/config/types.ts";
import { DNS_NAME_COLUMN, SNI_COLUMN, createBatch, type ExtraSpec } from "../../src/flow/batch.ts";
import { checkKey, parseKey, type IanaLookup, type KeySpec } from "../../src/monitor/keyspec.ts";
import { createStringTable } from "../../src/monitor/strings.ts";
import { push, v6 } from "./helpers.ts";

const fields: FieldDef[] = [
  { name: "vrf", pen: 0, element: 234, type: "uint" },
  { name: "src_mac", pen: 0, element: 56, type: "mac" },
  { name: "app", pen: 9, element: 12235, type: "string" },
  { name: "post_nat_src", pen: 0, element: 225, type: "address" },
];
const lookup: IanaLookup = (name) => (name === "ingressVRFID" ? { id: 234, type: "uint" } : name === "flowLabelIPv6" ? { id: 31, type: "uint" } : null);
const extras: ExtraSpec[] = [
  { pen: 0, element: 234, type: "uint" },
  { pen: 0, element: 56, type: "mac" },
  { pen: 9, element: 12235, type: "string" },
  { pen: 0, element: 225, type: "address" },
];

function spec(text: string): KeySpec {
  const r = parseKey(text, fields, lookup);
  if ("error" in r) throw new Error(r.error);
  return r;
}

/** Parses, compiles, writes record i and renders it back: [column, type, words, value]. */
function roundTrip(text: string, fill: (b: ReturnType<typeof createBatch>) => number) {
  const b = createBatch(extras, 8);
  const i = fill(b);
  const s = spec(text);
  const w = s.compile(extras);
  if (typeof w === "string") throw new Error(w);
  const out = new Uint32Array(s.words + 2).fill(0xdead);
  const strings = createStringTable();
  w(b, i, out, 1, strings);
  expect(out[0]).toBe(0xdead); // writes only its own words
  expect(out[s.words + 1]).toBe(0xdead);
  return [s.column.name, s.column.type, s.words, s.render(out, 1, strings)];
}

const rec = { src: "10.1.2.3", dst: "10.200.0.1", srcPort: 40075, dstPort: 443, proto: 17, srcAs: 64500, dstAs: 4200000000, inIf: 7, outIf: 9, tos: 0xb8, tcpFlags: 0x1b, vlan: 300, exporter: "192.0.2.1", nextHop: "fe80::1", domain: 5, sampler: 2 };

describe("key fields", () => {
  test.each([
    ["src host", ["src_host", "address", 4, "10.1.2.3"]],
    ["dst host", ["dst_host", "address", 4, "10.200.0.1"]],
    ["src port", ["src_port", "uint", 1, 40075]],
    ["dst port", ["dst_port", "uint", 1, 443]],
    ["proto", ["proto", "uint", 1, 17]],
    ["src as", ["src_as", "uint", 1, 64500]],
    ["dst as", ["dst_as", "uint", 1, 4200000000]],
    ["in if", ["in_if", "uint", 1, 7]],
    ["out if", ["out_if", "uint", 1, 9]],
    ["tos", ["tos", "uint", 1, 0xb8]],
    ["tcp-flags", ["tcp_flags", "uint", 1, 0x1b]],
    ["vlan", ["vlan", "uint", 1, 300]],
    ["exporter", ["exporter", "address", 4, "192.0.2.1"]],
    ["next hop", ["next_hop", "address", 4, "fe80::1"]],
    ["domain", ["domain", "uint", 1, 5]],
    ["sampler", ["sampler", "uint", 1, 2]],
    ["  Src   HOST ", ["src_host", "address", 4, "10.1.2.3"]],
  ] as const)("%s", (text, expected) => {
    expect(roundTrip(text, (b) => push(b, rec))).toEqual([...expected]);
  });

  test("src net/N masks IPv4 and IPv6 with one length", () => {
    expect(roundTrip("src net/24", (b) => push(b, { src: "10.1.2.3" }))).toEqual(["src_net", "address", 4, "10.1.2.0/24"]);
    expect(roundTrip("src net/24", (b) => push(b, { src: "2001:db8:ffff::1" }))).toEqual(["src_net", "address", 4, "2001:d00::/24"]);
    expect(roundTrip("dst net/48", (b) => push(b, { dst: "10.9.9.9" }))).toEqual(["dst_net", "address", 4, "10.9.9.9/32"]);
    expect(roundTrip("dst net/0", (b) => push(b, { dst: "10.9.9.9" }))).toEqual(["dst_net", "address", 4, "0.0.0.0/0"]);
  });

  test("src net/N/M: N bits for IPv4, M for IPv6", () => {
    expect(roundTrip("src net/16/64", (b) => push(b, { src: "172.16.200.1" }))).toEqual(["src_net", "address", 4, "172.16.0.0/16"]);
    expect(roundTrip("src net/16/64", (b) => push(b, { src: "2001:db8:1:2:3:4:5:6" }))).toEqual(["src_net", "address", 4, "2001:db8:1:2::/64"]);
    expect(roundTrip("dst net/8/127", (b) => push(b, { dst: "2001:db8::3" }))).toEqual(["dst_net", "address", 4, "2001:db8::2/127"]);
  });

  test("an IPv4 key never equals an IPv6 key with the same first word", () => {
    const b = createBatch([], 4);
    push(b, { src: "32.1.13.184" });
    push(b, { src: "2001:db8::" });
    const s = spec("src host");
    const w = s.compile([]) as Exclude<ReturnType<KeySpec["compile"]>, string>;
    const k = new Uint32Array(8);
    w(b, 0, k, 0, createStringTable());
    w(b, 1, k, 4, createStringTable());
    expect(Array.from(k)).toEqual([0, 0, 0xffff, 0x20010db8, ...v6("2001:db8::")]);
    expect([s.render(k, 0, createStringTable()), s.render(k, 4, createStringTable())]).toEqual(["32.1.13.184", "2001:db8::"]);
  });

  test("a record without addresses renders null", () => {
    expect(roundTrip("src host", (b) => push(b, {}))).toEqual(["src_host", "address", 4, null]);
    expect(roundTrip("dst net/24", (b) => push(b, {}))).toEqual(["dst_net", "address", 4, null]);
  });

  test("[[field]] keys of every type, present and absent", () => {
    const set = (b: ReturnType<typeof createBatch>, absent: boolean) => {
      const i = push(b, {});
      const [vrf, mac, app, nat] = b.extra;
      vrf!.num[i] = absent ? NaN : 2 ** 40 + 5;
      mac!.num[i] = absent ? NaN : 0x0050569a0b0c;
      b.strings.push("other", "netflix");
      app!.num[i] = absent ? NaN : 1;
      nat!.family![i] = absent ? 0 : 4;
      nat!.addr![i * 4] = 0xc6336401;
      return i;
    };
    expect(roundTrip("vrf", (b) => set(b, false))).toEqual(["vrf", "uint", 2, 2 ** 40 + 5]);
    expect(roundTrip("src_mac", (b) => set(b, false))).toEqual(["src_mac", "mac", 2, "00:50:56:9a:0b:0c"]);
    expect(roundTrip("app", (b) => set(b, false))).toEqual(["app", "string", 1, "netflix"]);
    expect(roundTrip("post_nat_src", (b) => set(b, false))).toEqual(["post_nat_src", "address", 4, "198.51.100.1"]);
    for (const f of ["vrf", "src_mac", "app", "post_nat_src"]) expect(roundTrip(f, (b) => set(b, true))[3]).toBeNull();
  });

  test("dns name and sni: string keys on the sFlow payload-name columns", () => {
    const cols = [DNS_NAME_COLUMN, SNI_COLUMN];
    const b = createBatch(cols, 4);
    const i = push(b, {});
    b.strings.push("example.com", "www.example.org");
    b.extra[0]!.num[i] = 0;
    b.extra[1]!.num[i] = 1;
    const strings = createStringTable();
    const got = ["dns name", "sni"].map((text) => {
      const s = spec(text);
      const k = new Uint32Array(1);
      (s.compile(cols) as Exclude<ReturnType<KeySpec["compile"]>, string>)(b, i, k, 0, strings);
      return [s.column, s.extra, s.render(k, 0, strings)];
    });
    expect(got).toEqual([
      [{ name: "dns_name", type: "string" }, DNS_NAME_COLUMN, "example.com"],
      [{ name: "sni", type: "string" }, SNI_COLUMN, "www.example.org"],
    ]);
  });

  test("string keys hold the consumer's id, not the batch's", () => {
    const b = createBatch(extras, 4);
    const i = push(b, {});
    b.strings.push("a", "b", "c");
    b.extra[2]!.num[i] = 2;
    const s = spec("app");
    const w = s.compile(extras) as Exclude<ReturnType<KeySpec["compile"]>, string>;
    const strings = createStringTable();
    const k = new Uint32Array(1);
    w(b, i, k, 0, strings);
    b.strings.length = 0; // the batch owner clears its table
    expect([k[0], s.render(k, 0, strings)]).toEqual([1, "c"]);
  });

  test("IANA element names through the lookup", () => {
    const b = createBatch(extras, 4);
    const i = push(b, {});
    b.extra[0]!.num[i] = 12;
    const s = spec("ingressVRFID");
    expect([s.column, s.words, s.extra]).toEqual([{ name: "ingressVRFID", type: "uint" }, 2, { pen: 0, element: 234, type: "uint" }]);
    const w = s.compile(extras) as Exclude<ReturnType<KeySpec["compile"]>, string>;
    const k = new Uint32Array(2);
    w(b, i, k, 0, createStringTable());
    expect(s.render(k, 0, createStringTable())).toBe(12);
  });

  test("compiling against a batch without the column says which element", () => {
    expect(spec("flowLabelIPv6").compile(extras)).toBe('key "flowLabelIPv6": the flow batch has no column for element 31');
    expect(spec("app").compile([])).toBe('key "app": the flow batch has no column for element 9/12235');
  });

  test("errors name the problem", () => {
    expect(checkKey("src host", fields)).toBeNull();
    expect(checkKey("vrf", fields)).toBeNull();
    expect(checkKey("host", fields)).toBe('key "host": a key needs a side; use "src host" or "dst host" (a flow has two, and counting it under both would double the totals)');
    expect(checkKey("src net", fields)).toBe('key "src net": give a prefix length, e.g. "src net/24"');
    expect(checkKey("src net/33/64", fields)).toBe('key "src net/33/64": IPv4 prefix length 33 is over 32');
    expect(checkKey("dst net/129", fields)).toBe('key "dst net/129": prefix length 129 is over 128');
    expect(checkKey("ingressVRFID", fields)).toMatch(/^unknown key field "ingressVRFID": expected src host, /);
    expect(checkKey("ingressVRFID", fields, lookup)).toBeNull();
  });
});
