// Key field expressions of windows and moving averages (DESIGN.md section 3), parsed once and
// compiled to writers that put record i of a batch into uint32 key words.
//
// Word layouts:
// - addresses (`src host`, `dst host`, `exporter`, `next hop`, address fields): 4 words, IPv6 as
//   is and IPv4 as the IPv4-mapped IPv6 address ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2), so an
//   IPv4 key never equals an IPv6 key whose low words are zero; all-zero words = no address.
// - `src net/N`, `dst net/N`: the same, masked to N bits. One `/N` applies to both families
//   (IPv4 uses min(N, 32)); `/N/M` gives IPv4 N and IPv6 M bits (`src net/24/64`). The column is
//   `src_net` and rows hold CIDR text ("10.1.2.0/24").
// - built-in numeric fields: 1 word.
// - uint and mac fields: 2 words (high, low) of a value up to 2^53; 0xffffffff high = absent.
// - string fields: 1 word, an id in the consumer's StringTable (0 = absent): batch string ids
//   belong to the batch owner, who may clear them between batches.
import type { FieldDef, FieldType } from "../config/types.ts";
import { countryText } from "../enrich/records.ts";
import type { EnrichNames } from "../enrich/names.ts";
import { DNS_NAME_COLUMN, type ExtraSpec, type FlowBatch, SNI_COLUMN } from "../flow/batch.ts";
import type { KeyColumn } from "../flow/export.ts";
import { formatKeyAddress, formatMac, formatV4, formatV6, isMappedV4 } from "./render.ts";
import type { StringTable } from "./strings.ts";

export type IanaLookup = (name: string) => { id: number; type: FieldType } | null;

export type KeyWriter = (b: FlowBatch, i: number, out: Uint32Array, off: number, strings: StringTable) => void;

export type KeyValue = string | number | null;

/** Where a built-in key reads the batch, for code generation (keygen.ts); null for extra columns. */
export type KeySource =
  | { kind: "address"; col: AddrCol; fam: FamCol; bits4: number; bits6: number }
  | { kind: "number"; col: NumCol };

export interface KeySpec {
  /** As written in the config. */
  readonly text: string;
  readonly column: KeyColumn;
  readonly words: number;
  /** The batch extra column this key reads, or null for built-in columns. */
  readonly extra: ExtraSpec | null;
  readonly source: KeySource | null;
  /** The writer for a batch laid out with `extras`; a message when the layout lacks the column. */
  compile(extras: readonly ExtraSpec[]): KeyWriter | string;
  render(key: Uint32Array, off: number, strings: StringTable): KeyValue;
}

export type AddrCol = "srcAddr" | "dstAddr" | "nextHop" | "exporterAddr";
export type FamCol = "family" | "nextHopFamily" | "exporterFamily";
export type NumCol = "srcPort" | "dstPort" | "proto" | "srcAs" | "dstAs" | "inIf" | "outIf" | "tos" | "tcpFlags" | "vlan" | "domain" | "sampler" | EnrichCol;

// Enrichment keys (src/enrich/): one word holding the stage's id, rendered as its text.
type EnrichCol = "srcCountry" | "dstCountry" | "srcNetwork" | "dstNetwork" | "inRole" | "outRole";
const ENRICH_FIELDS: Record<string, [EnrichCol, (names: EnrichNames | undefined, id: number) => string | null]> = {
  "src country": ["srcCountry", (_, id) => countryText(id)],
  "dst country": ["dstCountry", (_, id) => countryText(id)],
  "src network": ["srcNetwork", (n, id) => (id === 0 ? null : (n?.networks[id] ?? null))],
  "dst network": ["dstNetwork", (n, id) => (id === 0 ? null : (n?.networks[id] ?? null))],
  "in role": ["inRole", (n, id) => (id === 0 ? null : (n?.roles[id] ?? null))],
  "out role": ["outRole", (n, id) => (id === 0 ? null : (n?.roles[id] ?? null))],
};

const ADDRESS_FIELDS: Record<string, [AddrCol, FamCol]> = {
  "src host": ["srcAddr", "family"],
  "dst host": ["dstAddr", "family"],
  "next hop": ["nextHop", "nextHopFamily"],
  exporter: ["exporterAddr", "exporterFamily"],
};

const NUMERIC_FIELDS: Record<string, NumCol> = {
  "src port": "srcPort",
  "dst port": "dstPort",
  proto: "proto",
  "src as": "srcAs",
  "dst as": "dstAs",
  "in if": "inIf",
  "out if": "outIf",
  tos: "tos",
  "tcp-flags": "tcpFlags",
  vlan: "vlan",
  domain: "domain",
  sampler: "sampler",
};

const EXPECTED =
  "expected src host, dst host, src net/N, dst net/N, src port, dst port, proto, src as, dst as, " +
  "in if, out if, tos, tcp-flags, exporter, vlan, next hop, domain, sampler, dns name, sni, src country, dst country, " +
  "src network, dst network, in role, out role, a [[field]] name or an IANA element name";

export function prefixMask(bits: number, w: number): number {
  const b = bits - w * 32;
  if (b >= 32) return 0xffffffff;
  if (b <= 0) return 0;
  return (0xffffffff << (32 - b)) >>> 0;
}

function columnName(text: string): string {
  return text.replace(/[ -]/g, "_");
}

function addressWriter(col: AddrCol, fam: FamCol, bits4: number, bits6: number): KeyWriter {
  const m4 = prefixMask(bits4, 0);
  const m0 = prefixMask(bits6, 0);
  const m1 = prefixMask(bits6, 1);
  const m2 = prefixMask(bits6, 2);
  const m3 = prefixMask(bits6, 3);
  return (b, i, out, off) => {
    const a = b[col];
    const f = b[fam][i];
    const o = i * 4;
    if (f === 4) {
      out[off] = 0;
      out[off + 1] = 0;
      out[off + 2] = 0xffff;
      out[off + 3] = a[o]! & m4;
    } else if (f === 6) {
      out[off] = a[o]! & m0;
      out[off + 1] = a[o + 1]! & m1;
      out[off + 2] = a[o + 2]! & m2;
      out[off + 3] = a[o + 3]! & m3;
    } else {
      out[off] = 0;
      out[off + 1] = 0;
      out[off + 2] = 0;
      out[off + 3] = 0;
    }
  };
}

function netRender(bits4: number, bits6: number) {
  return (key: Uint32Array, off: number): KeyValue => {
    if (isMappedV4(key, off)) return `${formatV4(key[off + 3]!)}/${bits4}`;
    if (key[off] === 0 && key[off + 1] === 0 && key[off + 2] === 0 && key[off + 3] === 0) return null;
    return `${formatV6(key, off)}/${bits6}`;
  };
}

function builtin(text: string, column: KeyColumn, words: number, source: KeySource, writer: KeyWriter, render: KeySpec["render"]): KeySpec {
  return { text, column, words, extra: null, source, compile: () => writer, render };
}

function extraKey(text: string, name: string, spec: ExtraSpec): KeySpec {
  const type = spec.type;
  const words = type === "address" ? 4 : type === "string" ? 1 : 2;
  const compile = (extras: readonly ExtraSpec[]): KeyWriter | string => {
    const idx = extras.findIndex((e) => e.pen === spec.pen && e.element === spec.element && e.type === type);
    if (idx < 0) return `key "${text}": the flow batch has no column for element ${spec.pen ? `${spec.pen}/` : ""}${spec.element}`;
    if (type === "address") {
      return (b, i, out, off) => {
        const x = b.extra[idx]!;
        const f = x.family![i];
        const o = i * 4;
        const a = x.addr!;
        if (f === 4) {
          out[off] = 0;
          out[off + 1] = 0;
          out[off + 2] = 0xffff;
          out[off + 3] = a[o]!;
        } else if (f === 6) {
          out[off] = a[o]!;
          out[off + 1] = a[o + 1]!;
          out[off + 2] = a[o + 2]!;
          out[off + 3] = a[o + 3]!;
        } else out.fill(0, off, off + 4);
      };
    }
    if (type === "string") {
      return (b, i, out, off, strings) => {
        const id = b.extra[idx]!.num[i]!;
        const s = id === id ? b.strings[id] : undefined;
        out[off] = s === undefined ? 0 : strings.intern(s);
      };
    }
    return (b, i, out, off) => {
      const v = b.extra[idx]!.num[i]!;
      if (v !== v) {
        out[off] = 0xffffffff;
        out[off + 1] = 0xffffffff;
      } else {
        out[off] = v / 0x100000000;
        out[off + 1] = v;
      }
    };
  };
  const render = (key: Uint32Array, off: number, strings: StringTable): KeyValue => {
    if (type === "address") return formatKeyAddress(key, off);
    if (type === "string") return key[off] === 0 ? null : (strings.get(key[off]!) ?? null);
    if (key[off] === 0xffffffff) return null;
    const v = key[off]! * 0x100000000 + key[off + 1]!;
    return type === "mac" ? formatMac(v) : v;
  };
  return { text, column: { name: columnName(name), type }, words, extra: spec, source: null, compile, render };
}

/**
 * Parses one key field expression. `fields` are the config's [[field]]s; `lookup` resolves IANA
 * names; `names` renders network and role ids (src/enrich/names.ts; without it they render NULL).
 */
export function parseKey(text: string, fields: readonly FieldDef[], lookup?: IanaLookup, names?: EnrichNames): KeySpec | { error: string } {
  const norm = text.trim().replace(/\s+/g, " ");
  const lower = norm.toLowerCase();
  const addr = ADDRESS_FIELDS[lower];
  if (addr) {
    return builtin(norm, { name: columnName(lower), type: "address" }, 4, { kind: "address", col: addr[0], fam: addr[1], bits4: 32, bits6: 128 }, addressWriter(addr[0], addr[1], 32, 128), formatKeyAddress);
  }
  const num = NUMERIC_FIELDS[lower];
  if (num) {
    const writer: KeyWriter = (b, i, out, off) => {
      out[off] = b[num][i]!;
    };
    return builtin(norm, { name: columnName(lower), type: "uint" }, 1, { kind: "number", col: num }, writer, (key, off) => key[off]!);
  }
  const enrich = ENRICH_FIELDS[lower];
  if (enrich) {
    const [col, text] = enrich;
    const writer: KeyWriter = (b, i, out, off) => {
      out[off] = b[col][i]!;
    };
    return builtin(norm, { name: columnName(lower), type: "string" }, 1, { kind: "number", col }, writer, (key, off) => text(names, key[off]!));
  }
  const net = /^(src|dst) net ?\/ ?(\d{1,3})(?: ?\/ ?(\d{1,3}))?$/.exec(lower);
  if (net) {
    const n = Number(net[2]);
    const m = net[3] === undefined ? n : Number(net[3]);
    if (net[3] !== undefined && n > 32) return { error: `key "${norm}": IPv4 prefix length ${n} is over 32` };
    if (m > 128) return { error: `key "${norm}": prefix length ${m} is over 128` };
    const bits4 = Math.min(n, 32);
    const side = net[1] === "src" ? "srcAddr" : "dstAddr";
    const writer = addressWriter(side, "family", bits4, m);
    return builtin(norm, { name: `${net[1]}_net`, type: "address" }, 4, { kind: "address", col: side, fam: "family", bits4, bits6: m }, writer, netRender(bits4, m));
  }
  if (/^(src|dst) net$/.test(lower)) return { error: `key "${norm}": give a prefix length, e.g. "${lower}/24"` };
  if (lower === "host" || lower === "net" || lower === "port" || lower === "as" || lower === "if") {
    return {
      error: `key "${norm}": a key needs a side; use "src ${lower}" or "dst ${lower}"${lower === "if" ? ' ("in if"/"out if")' : ""} (a flow has two, and counting it under both would double the totals)`,
    };
  }
  if (lower === "dns name") return extraKey(norm, lower, DNS_NAME_COLUMN);
  if (lower === "sni") return extraKey(norm, lower, SNI_COLUMN);
  const field = fields.find((f) => f.name === norm);
  if (field) return extraKey(norm, field.name, { pen: field.pen, element: field.element, type: field.type });
  const iana = lookup?.(norm);
  if (iana) return extraKey(norm, norm, { pen: 0, element: iana.id, type: iana.type });
  return { error: `unknown key field "${norm}": ${EXPECTED}` };
}

/**
 * Whether the key's word is an id in the consumer's StringTable (string [[field]]s), as opposed
 * to text rendered from a number every thread agrees on (countries, networks, roles).
 */
export function isInterned(s: KeySpec): boolean {
  return s.extra?.type === "string";
}

/** For the config loader: null when the key expression is valid, else the message. */
export function checkKey(text: string, fields: readonly FieldDef[], lookup?: IanaLookup): string | null {
  const r = parseKey(text, fields, lookup);
  return "error" in r ? r.error : null;
}
