// Seed datagrams for the mutator, as streams (what one exporter sent, in order: templates before
// the data that needs them): every UDP payload of the vendor corpus, grouped by capture and source,
// plus datagrams made here with the generator's v5 / v9 / IPFIX encoders and hand-built options
// templates, variable-length fields (1- and 3-byte forms), enterprise elements and withdrawals.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Version } from "../../src/gen/codec.ts";
import { parseNets } from "../../src/gen/net.ts";
import { buildPool } from "../../src/gen/pool.ts";
import { readCapture } from "../../src/capture/pcap.ts";

/** The vendor corpus, vendored into the repository (test/fixtures/vendors/README.md). */
export const CORPUS = join(import.meta.dir, "../fixtures/vendors");
const SFLOW_FIXTURES = join(import.meta.dir, "../fixtures/sflow");

export interface Stream {
  name: string;
  datagrams: Uint8Array[];
}

function pcaps(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return pcaps(p);
    return /\.pcap(ng)?$/.test(f) ? [p] : [];
  });
}

export function corpusStreams(dir = CORPUS): Stream[] {
  const out: Stream[] = [];
  for (const file of pcaps(dir).sort()) {
    const bySrc = new Map<string, Uint8Array[]>();
    for (const d of readCapture(new Uint8Array(readFileSync(file))).datagrams) {
      const list = bySrc.get(d.src) ?? [];
      list.push(d.payload);
      bySrc.set(d.src, list);
    }
    for (const [src, datagrams] of bySrc) out.push({ name: `${file.slice(dir.length + 1)}@${src}`, datagrams });
  }
  return out;
}

const EXPORT_MS = 1_700_000_000_000;

function generated(version: Version): Stream {
  const pool = buildPool(
    {
      version, records: version === 5 ? 30 : version === "sflow" ? 6 : 8, datagrams: 8, seed: version === "sflow" ? 6 : version,
      srcNets: parseNets("10.0.0.0/8"), dstNets: parseNets("10.0.0.0/8,192.0.2.0/24"),
      hostsSrc: 1000, hostsDst: 1000, zipf: 0, webShare: 0.5, octetsMin: 64, octetsMax: 1500,
    },
    { exportMs: EXPORT_MS, uptimeMs: 3_600_000, sequence: 0, domain: 1 },
  );
  const datagrams = pool.datagrams.map((d, k) => {
    const out = new Uint8Array(1500);
    const len = pool.codec.compose(d, pool.records, k % 4 === 0, out);
    return out.slice(0, len);
  });
  return { name: `gen-v${version}`, datagrams };
}

/** Big-endian byte writer for hand-built datagrams. */
function bytes(...parts: (number | [number, number])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    const [v, n] = typeof p === "number" ? [p, 1] : p;
    for (let k = n - 1; k >= 0; k--) out.push(Math.floor(v / 256 ** k) % 256);
  }
  return Uint8Array.from(out);
}
const u16 = (v: number): [number, number] => [v, 2];
const u32 = (v: number): [number, number] => [v, 4];
const u64 = (v: number): [number, number] => [v, 8];

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function set(id: number, body: Uint8Array): Uint8Array {
  return cat(bytes(u16(id), u16(body.length + 4)), body);
}

function ipfixMsg(...sets: Uint8Array[]): Uint8Array {
  const body = cat(...sets);
  return cat(bytes(u16(10), u16(body.length + 16), u32(EXPORT_MS / 1000), u32(7), u32(3)), body);
}

function v9Msg(...sets: Uint8Array[]): Uint8Array {
  return cat(bytes(u16(9), u16(sets.length), u32(3_600_000), u32(EXPORT_MS / 1000), u32(9), u32(3)), ...sets);
}

const varlen = (s: string): Uint8Array => {
  const t = new TextEncoder().encode(s);
  return t.length < 255 ? cat(bytes(t.length), t) : cat(bytes(255, u16(t.length)), t);
};

/** IPFIX: options template (scope selectorId; packet interval/space, system init time), a template
 * with variable-length and enterprise fields, their data, then a withdrawal and a withdraw-all. */
function ipfixExtras(): Stream {
  const optTpl = set(3, bytes(u16(257), u16(4), u16(1), u16(302), u16(4), u16(305), u16(4), u16(306), u16(4), u16(160), u16(8)));
  const optData = set(257, bytes(u32(5), u32(1), u32(99), u64(EXPORT_MS - 3_600_000)));
  const tpl = set(2, bytes(
    u16(258), u16(6),
    u16(8), u16(4), u16(82), u16(0xffff), u16(0x8000 | 1), u16(0xffff), u32(9), u16(1), u16(8), u16(302), u16(4), u16(152), u16(8),
  ));
  const rec = (name: string, ent: string, src: number) =>
    cat(bytes(u32(src)), varlen(name), varlen(ent), bytes(u64(1234), u32(5), u64(EXPORT_MS - 2000)));
  const data = set(258, cat(rec("ge-0/0/1", "x", 0x0a000001), rec("a".repeat(300), "", 0x0a000002), rec("", "e".repeat(40), 0x0a000003)));
  return {
    name: "gen-ipfix-extras",
    datagrams: [
      ipfixMsg(optTpl, tpl),
      ipfixMsg(optData, data),
      ipfixMsg(data, optData),
      ipfixMsg(set(2, bytes(u16(258), u16(0)))),
      ipfixMsg(data),
      ipfixMsg(tpl, set(3, bytes(u16(3), u16(0))), data),
      ipfixMsg(set(2, bytes(u16(2), u16(0)))),
    ],
  };
}

/** NetFlow v9: options template (scope system; SAMPLING_INTERVAL, FLOW_SAMPLER_ID) and its data
 * after flow data, a template flowset with two templates, and an IPv6 template. */
function v9Extras(): Stream {
  const opt = set(1, bytes(u16(300), u16(4), u16(8), u16(1), u16(4), u16(34), u16(4), u16(48), u16(1), 0, 0));
  const optData = set(300, bytes(u32(1), u32(100), 2, 0, 0, 0));
  const tpl = set(0, bytes(
    u16(301), u16(4), u16(8), u16(4), u16(12), u16(4), u16(1), u16(4), u16(48), u16(1),
    u16(302), u16(5), u16(27), u16(16), u16(28), u16(16), u16(2), u16(8), u16(22), u16(4), u16(21), u16(4),
  ));
  const d4 = set(301, bytes(u32(0x0a000001), u32(0xc0000201), u32(1500), 2, u32(0x0a000002), u32(0xc0000202), u32(60), 2, 0, 0));
  const v6 = Array.from({ length: 16 }, (_, k) => k);
  const d6 = set(302, bytes(...v6, ...v6.reverse(), u64(10), u32(3_599_000), u32(3_599_500)));
  return { name: "gen-v9-extras", datagrams: [v9Msg(d4), v9Msg(opt, tpl), v9Msg(d4, optData, d6), v9Msg(optData, d4)] };
}

export function generatedStreams(): Stream[] {
  return [generated(5), generated(9), generated(10), generated("sflow"), ipfixExtras(), v9Extras()];
}

export function allStreams(): Stream[] {
  // sFlow: pmacctd's captures (the vendor corpus holds none) beside the generated datagrams.
  const sflow = corpusStreams(SFLOW_FIXTURES).filter((s) => s.name.startsWith("pmacct-"));
  return [...corpusStreams(), ...sflow, ...generatedStreams()];
}
