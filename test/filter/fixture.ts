// A small batch of records with every field the filter language reads, and the helpers the
// filter tests evaluate against it. Records:
//   0  IPv4 TCP  10.1.2.3:40000 -> 192.0.2.10:80 (http), SYN
//   1  IPv4 UDP  192.168.1.5:53 -> 10.9.9.9:33000, dns reply
//   2  IPv6 TCP  2001:db8::1:443 -> 2001:db8:ffff::2:51000, SYN+ACK
//   3  IPv6 ICMPv6 fe80::1 -> ff02::1
//   4  IPv4 GRE  198.51.100.7 -> 203.0.113.9
//   5  no addresses (family 0), protocol 0

import { parseAddress, parseCidr } from "../../src/net/address.ts";
import type { Cidr, FieldDef } from "../../src/config/types.ts";
import { compileFilter, compileSelect, parseFilter } from "../../src/filter/index.ts";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";

export const FIELDS: readonly FieldDef[] = [
  { name: "vrf", pen: 0, element: 234, type: "uint" },
  { name: "nexthop", pen: 0, element: 15, type: "address" },
  { name: "srcmac", pen: 0, element: 56, type: "mac" },
  { name: "app", pen: 0, element: 96, type: "string" },
  { name: "tenant", pen: 9, element: 234, type: "string" }, // enterprise, same number as vrf
];

interface Rec {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  proto?: number;
  tos?: number;
  flags?: number;
  inIf?: number;
  outIf?: number;
  srcAs?: number;
  dstAs?: number;
  vlan?: number;
  exporter: string;
  domain?: number;
  sampler?: number;
  vrf?: number;
  nexthop?: string;
  srcmac?: number;
  app?: string;
  tenant?: string;
}

const RECORDS: Rec[] = [
  { src: "10.1.2.3", dst: "192.0.2.10", sport: 40000, dport: 80, proto: 6, flags: 0x02, inIf: 1, outIf: 2,
    srcAs: 64500, dstAs: 15169, vlan: 100, exporter: "192.0.2.1", vrf: 5, nexthop: "10.255.0.1",
    srcmac: 0x0050569a0b0c, app: "http", tenant: "blue" },
  { src: "192.168.1.5", dst: "10.9.9.9", sport: 53, dport: 33000, proto: 17, tos: 0xb8, inIf: 2, outIf: 3,
    srcAs: 0, dstAs: 64500, vlan: 200, exporter: "192.0.2.2", domain: 7, sampler: 3, vrf: 6,
    nexthop: "2001:db8::ff", srcmac: 0xaabbccddeeff, app: "dns", tenant: "http" },
  { src: "2001:db8::1", dst: "2001:db8:ffff::2", sport: 443, dport: 51000, proto: 6, flags: 0x12, inIf: 10,
    outIf: 1, srcAs: 15169, dstAs: 64501, exporter: "2001:db8::fe", domain: 256, sampler: 5, vrf: 4096 },
  { src: "fe80::1", dst: "ff02::1", proto: 58, inIf: 3, outIf: 0, exporter: "192.0.2.1", vlan: 4095 },
  { src: "198.51.100.7", dst: "203.0.113.9", proto: 47, flags: 0x11, tos: 0x10, inIf: 7, outIf: 7,
    srcAs: 64496, dstAs: 64511, exporter: "192.0.2.3", domain: 7 },
  { proto: 0, exporter: "192.0.2.3" },
];

function put(words: Uint32Array, family: Uint8Array, i: number, text: string): void {
  const a = parseAddress(text);
  if (typeof a === "string") throw new Error(a);
  family[i] = a.family;
  words.set(a.words, i * 4);
}

export function fixtureBatch(): FlowBatch {
  const b = createBatch(FIELDS.map((f) => ({ pen: f.pen, element: f.element, type: f.type })));
  const [vrf, nexthop, srcmac, app, tenant] = b.extra;
  if (!vrf || !nexthop?.addr || !nexthop.family || !srcmac || !app || !tenant) throw new Error("extras");
  const intern = (s: string | undefined): number => {
    if (s === undefined) return Number.NaN;
    const k = b.strings.indexOf(s);
    return k >= 0 ? k : b.strings.push(s) - 1;
  };
  RECORDS.forEach((r, i) => {
    if (r.src !== undefined) put(b.srcAddr, b.family, i, r.src);
    if (r.dst !== undefined) put(b.dstAddr, b.family, i, r.dst);
    put(b.exporterAddr, b.exporterFamily, i, r.exporter);
    b.srcPort[i] = r.sport ?? 0;
    b.dstPort[i] = r.dport ?? 0;
    b.proto[i] = r.proto ?? 0;
    b.tos[i] = r.tos ?? 0;
    b.tcpFlags[i] = r.flags ?? 0;
    b.inIf[i] = r.inIf ?? 0;
    b.outIf[i] = r.outIf ?? 0;
    b.srcAs[i] = r.srcAs ?? 0;
    b.dstAs[i] = r.dstAs ?? 0;
    b.vlan[i] = r.vlan ?? 0;
    b.domain[i] = r.domain ?? 0;
    b.sampler[i] = r.sampler ?? 0;
    vrf.num[i] = r.vrf ?? Number.NaN;
    if (r.nexthop !== undefined) put(nexthop.addr!, nexthop.family!, i, r.nexthop);
    srcmac.num[i] = r.srcmac ?? Number.NaN;
    app.num[i] = intern(r.app);
    tenant.num[i] = intern(r.tenant);
  });
  b.length = RECORDS.length;
  return b;
}

export const LISTS: Record<string, string[]> = {
  private: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
  docs6: ["2001:db8::/48", "198.51.100.0/24"],
  empty: [],
};

export function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (typeof c === "string") throw new Error(c);
  return c;
}

export const ctx = {
  fields: FIELDS,
  extraIndex: (pen: number, element: number): number => FIELDS.findIndex((f) => f.pen === pen && f.element === element),
  list: (name: string): readonly Cidr[] => {
    const l = LISTS[name];
    if (l === undefined) throw new Error(`no list ${name}`);
    return l.map(cidr);
  },
};

const batch = fixtureBatch();

/** The indexes of the fixture records `src` matches; the predicate and the selector must agree. */
export function hits(src: string): number[] {
  const r = parseFilter(src, FIELDS);
  if (!r.ok) throw new Error(`col ${r.col}: ${r.message}`);
  const pred = compileFilter(r.ast, ctx);
  const out: number[] = [];
  for (let i = 0; i < batch.length; i++) if (pred(batch, i)) out.push(i);
  const sel = new Uint32Array(batch.length);
  const n = compileSelect(r.ast, ctx)(batch, null, batch.length, sel);
  if (n !== out.length || out.some((v, k) => sel[k] !== v)) throw new Error(`select disagrees for ${src}`);
  return out;
}
