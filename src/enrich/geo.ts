// Country and AS of an address, from the country and ASN databases, cached per address in one
// typed-array table. The cache is 4-way set-associative with a fixed number of slots (the
// bound): a hit is a hash and a few word compares and allocates nothing; a miss formats the
// address and asks mmdb-lib, which allocates, and replaces the set's ways in turn. (Direct-mapped,
// 100 000 addresses in 2^18 slots hit 82%: one in three collides with another.) A database reload bumps the generation, so
// every slot filled before it reads as a miss.
//
// Keys are four words: IPv6 as is, IPv4 as the IPv4-mapped ::ffff:a.b.c.d (RFC 4291 2.5.5.2),
// so an IPv4 flow and an IPv4-mapped IPv6 flow share one slot and one answer.
import type { Response } from "mmdb-lib";
import { formatV4, formatV6 } from "../net/address.ts";
import type { MmdbFile } from "./mmdb.ts";

// 2^18 slots of 32 bytes = 8 MB: room for the ~100 000 distinct addresses of a busy edge at a hit rate
// that keeps mmdb-lib (about 1 us a miss) off the per-flow cost (docs/PERFORMANCE.md).
export const GEO_CACHE_SLOTS = 1 << 18;

export interface GeoCounters {
  hits: number;
  misses: number;
  /** Lookups a database could not answer because its data is damaged. */
  errors: number;
}

export interface Geo {
  /** Takes up a reloaded database: call before a run of lookups (the stage: once per batch). */
  refresh(): void;
  /**
   * Where in `table` the answer for the address at words[o..o+4) is (a slot's first word); -1
   * when the address has no family. `table[at + SLOT_COUNTRY]`: ISO 3166 alpha-2 as two ASCII
   * bytes (countryCode), `table[at + SLOT_ASN]`: AS number, `table[at + SLOT_EXTRA] | 0`: the
   * extra lookup's; 0 = unknown.
   */
  lookup(family: number, words: Uint32Array, o: number): number;
  readonly table: Uint32Array;
  /** The organisation of an AS seen in a lookup. */
  asName(asn: number): string | undefined;
  /** Every AS seen in a lookup, with its organisation. */
  asNames(): ReadonlyMap<number, string>;
  readonly counters: GeoCounters;
}

/** "RU" -> 0x5255; anything but two ASCII letters -> 0. */
export function countryCode(iso: string): number {
  if (iso.length !== 2) return 0;
  const a = iso.toUpperCase().charCodeAt(0);
  const b = iso.toUpperCase().charCodeAt(1);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90 ? (a << 8) | b : 0;
}

export function countryText(code: number): string | null {
  return code === 0 ? null : String.fromCharCode(code >>> 8, code & 0xff);
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (typeof v === "object" && v !== null ? (v as Rec) : undefined);

/** The country of a record: GeoLite2/DB-IP `country.iso_code`, IPinfo `country_code`. */
export function recordCountry(r: Response | null): number {
  const x = rec(r);
  const iso = rec(x?.country)?.iso_code ?? x?.country_code;
  return typeof iso === "string" ? countryCode(iso) : 0;
}

/** AS number and organisation: GeoLite2/DB-IP `autonomous_system_*`, IPinfo/iptoasn `asn`/`as_name`. */
export function recordAs(r: Response | null): { asn: number; name: string } {
  const x = rec(r);
  let asn = x?.autonomous_system_number;
  if (typeof asn === "string") asn = Number(/^(?:AS)?(\d+)$/i.exec(asn)?.[1] ?? 0);
  else if (typeof x?.asn === "string") asn = Number(/^(?:AS)?(\d+)$/i.exec(x.asn)?.[1] ?? 0);
  else if (typeof x?.asn === "number") asn = x.asn;
  const name = x?.autonomous_system_organization ?? x?.as_name ?? x?.name;
  return {
    asn: typeof asn === "number" && Number.isInteger(asn) && asn >= 0 && asn <= 0xffffffff ? asn : 0,
    name: typeof name === "string" ? name : "",
  };
}

/** Address text for mmdb-lib; IPv4-mapped IPv6 as IPv4, which every database answers. */
export function addressText(family: number, words: Uint32Array, o: number): string {
  const w0 = words[o]!, w1 = words[o + 1]!, w2 = words[o + 2]!, w3 = words[o + 3]!;
  if (family === 4) return formatV4(w0);
  return w0 === 0 && w1 === 0 && w2 === 0xffff ? formatV4(w3) : formatV6(w0, w1, w2, w3);
}

/** Words per cache slot: the key, its generation, then the answers, so a hit reads one line. */
export const SLOT_WORDS = 8;
export const SLOT_COUNTRY = 5;
export const SLOT_ASN = 6;
/** The `extra` lookup's answer (an int32: read it with `| 0`). */
export const SLOT_EXTRA = 7;

/**
 * `extra`, when given, is a per-address lookup cached in the same slot (the stage passes the
 * networks' longest match, so one probe answers country, AS and network).
 */
export function createGeo(
  countryDb: MmdbFile | null,
  asnDb: MmdbFile | null,
  slots = GEO_CACHE_SLOTS,
  extra: ((family: number, words: Uint32Array, o: number) => number) | null = null,
): Geo {
  const mask = slots - 1;
  if ((slots & mask) !== 0 || slots < 4) throw new RangeError("geo cache slots must be a power of two, at least 4");
  // Slot s at table[s * 8]: k0 k1 k2 k3 generation country asn extra. Generation 0 = empty.
  const table = new Uint32Array(slots * SLOT_WORDS);
  const next = new Uint8Array(slots >> 2); // per set of 4: the way a miss replaces
  const names = new Map<number, string>();
  const counters: GeoCounters = { hits: 0, misses: 0, errors: 0 };
  // One generation for both files: 1 + the sum of their load counts changes on every reload.
  const generation = (): number => 1 + (countryDb?.generation() ?? 0) + (asnDb?.generation() ?? 0);
  let g = generation();

  const ask = (db: MmdbFile | null, text: string): Response | null => {
    const r = db?.current();
    if (!r) return null;
    try {
      return r.get(text);
    } catch {
      counters.errors++;
      return null;
    }
  };

  return {
    table,
    counters,
    asName: (n) => names.get(n),
    asNames: () => names,
    refresh() {
      g = generation();
    },
    lookup(family, words, o) {
      if (family !== 4 && family !== 6) return -1;
      let k0 = 0, k1 = 0, k2 = 0xffff, k3 = words[o]!;
      if (family === 6) {
        k0 = words[o]!;
        k1 = words[o + 1]!;
        k2 = words[o + 2]!;
        k3 = words[o + 3]!;
      }
      let h = Math.imul(k0 ^ 0x9747b28c, 0x85ebca6b);
      h = Math.imul(h ^ k1 ^ (h >>> 13), 0x85ebca6b);
      h = Math.imul(h ^ k2 ^ (h >>> 13), 0x85ebca6b);
      h = Math.imul(h ^ k3 ^ (h >>> 13), 0xc2b2ae35);
      const set = ((h ^ (h >>> 16)) & mask) & ~3;
      const first = set * SLOT_WORDS;
      for (let b = first; b < first + 4 * SLOT_WORDS; b += SLOT_WORDS) {
        if (table[b + 3] === k3 && table[b + 4] === g && table[b + 2] === k2 && table[b + 1] === k1 && table[b] === k0) {
          counters.hits++;
          return b;
        }
      }
      counters.misses++;
      const way = next[set >> 2]!;
      next[set >> 2] = (way + 1) & 3;
      const b = first + way * SLOT_WORDS;
      const text = addressText(family, words, o);
      table[b + SLOT_COUNTRY] = recordCountry(ask(countryDb, text));
      const as = recordAs(ask(asnDb, text));
      table[b + SLOT_ASN] = as.asn;
      if (as.asn !== 0 && as.name !== "" && names.get(as.asn) !== as.name) names.set(as.asn, as.name);
      table[b + SLOT_EXTRA] = extra === null ? 0 : extra(family, words, o);
      table[b] = k0;
      table[b + 1] = k1;
      table[b + 2] = k2;
      table[b + 3] = k3;
      table[b + 4] = g;
      return b;
    },
  };
}
