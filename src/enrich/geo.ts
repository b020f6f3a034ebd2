// Country and AS of an address, from the country and ASN databases, cached per address in one
// typed-array table. The cache is 4-way set-associative with a fixed number of slots (the
// bound): a hit is a hash and a few word compares and allocates nothing; a miss formats the
// address and asks mmdb-lib, which allocates, and replaces the set's ways in turn. (Direct-mapped,
// 100 000 addresses in 2^18 slots hit 82%: one in three collides with another.) A database reload bumps the generation, so
// every slot filled before it reads as a miss. Addresses are cached by block where they can be
// (createGeo), so the traffic of a /24 or a /48 costs one slot.
//
// Keys are four words: IPv6 as is, IPv4 as the IPv4-mapped ::ffff:a.b.c.d (RFC 4291 2.5.5.2),
// so an IPv4 flow and an IPv4-mapped IPv6 flow share one slot and one answer.
import type { Response } from "mmdb-lib";
import type { MmdbFile } from "./mmdb.ts";
import { addressText, recordAs, recordCountry } from "./records.ts";

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
  /** Takes up a reloaded database or extra lookup: call before a run of lookups (the stage: once per batch). */
  refresh(): void;
  /** Replaces the extra lookup (reloaded networks); every cached answer is stale from the next refresh(). */
  setExtra(extra: ExtraLookup | null): void;
  /**
   * Where in `table` the answer for the address at words[o..o+4) is (a slot's first word); -1
   * when the address has no family. `table[at + SLOT_COUNTRY]`: ISO 3166 alpha-2 as two ASCII
   * bytes (countryCode), `table[at + SLOT_ASN]`: AS number, `table[at + SLOT_EXTRA]`: 1 + the
   * extra lookup's; 0 = unknown.
   */
  lookup(family: number, words: Uint32Array, o: number): number;
  /**
   * lookup() of every record i < n (family[i], the address at words[4i..4i+4)), its answers
   * written to country[i], as[i] per `asMode` and extra[i] (the slot's SLOT_EXTRA; 0 without a family): the stage's
   * per-batch loop, with the hit of an IPv4 block taken without a call.
   */
  resolveAll(family: Uint8Array, words: Uint32Array, n: number, country: Uint16Array, as: Uint32Array, asMode: AsMode, extra: Int32Array): void;
  readonly table: Uint32Array;
  /** The organisation of an AS seen in a lookup. */
  asName(asn: number): string | undefined;
  /** Every AS seen in a lookup, with its organisation. */
  asNames(): ReadonlyMap<number, string>;
  readonly counters: GeoCounters;
}

/** resolveAll's AS numbers: never written, written where the exporter gave 0, always written. */
export const AS_NEVER = 0;
export const AS_WHEN_ZERO = 1;
export const AS_ALWAYS = 2;
export type AsMode = typeof AS_NEVER | typeof AS_WHEN_ZERO | typeof AS_ALWAYS;

/** Words per cache slot: the key, its tag, then the answers, so a hit reads one line. */
export const SLOT_WORDS = 8;
export const SLOT_COUNTRY = 5;
export const SLOT_ASN = 6;
/** 1 + the `extra` lookup's answer (-1 = none becomes 0, so readers index without a branch). */
export const SLOT_EXTRA = 7;

/** Block sizes cached as one answer: an IPv4 /24, an IPv6 /48. */
export const BLOCK4_BITS = 24;
export const BLOCK6_BITS = 48;

/** A per-address lookup cached in the same slot; `block` is its answer when the whole block shares it, else BLOCK_SPLIT. */
export interface ExtraLookup {
  match(family: number, words: Uint32Array, o: number): number;
  block4(a: number, bits: number): number;
  block6(w0: number, w1: number, bits: number): number;
}
export const BLOCK_SPLIT = -2;

// A slot's tag word: generation << 2 | kind; 0 = empty.
const EXACT = 1; // one address
const BLOCK = 2; // a /24 or /48 whose addresses all have this answer
const SPLIT = 3; // a /24 or /48 whose addresses differ: look the address up as EXACT

/**
 * `extra`, when given, is cached in the same slot (the stage passes the networks' longest match,
 * so one probe answers country, AS and network). An address is first looked for by its block
 * (IPv4 /24, IPv6 /48): when every database's answer and `extra` cover the whole block, one
 * slot answers all of its addresses, so the cache holds blocks, not hosts.
 */
export function createGeo(countryDb: MmdbFile | null, asnDb: MmdbFile | null, slots = GEO_CACHE_SLOTS, extra: ExtraLookup | null = null): Geo {
  const mask = slots - 1;
  if ((slots & mask) !== 0 || slots < 4) throw new RangeError("geo cache slots must be a power of two, at least 4");
  // Slot s at table[s * 8]: k0 k1 k2 k3 tag country asn extra.
  const table = new Uint32Array(slots * SLOT_WORDS);
  const next = new Uint8Array(slots >> 2); // per set of 4: the way a miss replaces
  const names = new Map<number, string>();
  const counters: GeoCounters = { hits: 0, misses: 0, errors: 0 };
  // One generation for both files and the extra lookup: 1 + the sum of their load counts changes on every reload.
  let extras = 0;
  const generation = (): number => 1 + (countryDb?.generation() ?? 0) + (asnDb?.generation() ?? 0) + extras;
  let g = generation();
  let tagExact = (g << 2) | EXACT, tagBlock = (g << 2) | BLOCK, tagSplit = (g << 2) | SPLIT;

  // The answers of the last ask(): prefix lengths say how far they hold.
  let country = 0, asn = 0, countryBits = 0, asnBits = 0;
  const get = (db: MmdbFile | null, text: string): [Response | null, number] => {
    const r = db?.current();
    if (!r) return [null, 0];
    try {
      return r.getWithPrefixLength(text);
    } catch {
      counters.errors++;
      return [null, 128];
    }
  };
  const ask = (text: string): void => {
    const [c, cb] = get(countryDb, text);
    const [a, ab] = get(asnDb, text);
    const as = recordAs(a);
    country = recordCountry(c);
    asn = as.asn;
    countryBits = cb;
    asnBits = ab;
    if (as.asn !== 0 && as.name !== "" && names.get(as.asn) !== as.name) names.set(as.asn, as.name);
  };

  // The first word of a way of the set for key (k0..k3), filled with tag and the last answers.
  const fill = (set: number, k0: number, k1: number, k2: number, k3: number, tag: number, ex: number): number => {
    const way = next[set >> 2]!;
    next[set >> 2] = (way + 1) & 3;
    const b = (set + way) * SLOT_WORDS;
    table[b] = k0;
    table[b + 1] = k1;
    table[b + 2] = k2;
    table[b + 3] = k3;
    table[b + 4] = tag;
    table[b + SLOT_COUNTRY] = country;
    table[b + SLOT_ASN] = asn;
    table[b + SLOT_EXTRA] = ex;
    return b;
  };
  // IPv4 keys (k0..k2 fixed, ::ffff) hash on k3 alone: Fibonacci hashing, one multiply (the
  // low byte of a block key is 0, so the product's top bits are taken).
  const setShift = 32 - Math.log2(slots >> 2);
  const set4 = (k3: number): number => (setShift >= 32 ? 0 : (Math.imul(k3 ^ (k3 >>> 8), 0x9e3779b1) >>> setShift) << 2);
  const setOf = (k0: number, k1: number, k2: number, k3: number): number => {
    let h = Math.imul(k0 ^ 0x9747b28c, 0x85ebca6b);
    h = Math.imul(h ^ k1 ^ (h >>> 13), 0x85ebca6b);
    h = Math.imul(h ^ k2 ^ (h >>> 13), 0x85ebca6b);
    h = Math.imul(h ^ k3 ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & mask & ~3;
  };
  // The way of `set` holding key (k0..k3) with `tag`, or -1.
  const find = (set: number, k0: number, k1: number, k2: number, k3: number, tag: number): number => {
    const first = set * SLOT_WORDS;
    for (let b = first; b < first + 4 * SLOT_WORDS; b += SLOT_WORDS) {
      if (table[b + 3] === k3 && table[b + 4] === tag && table[b + 2] === k2 && table[b + 1] === k1 && table[b] === k0) return b;
    }
    return -1;
  };

  /** The slot of one address (k0..k3) whose block is SPLIT. */
  function exact(family: number, words: Uint32Array, o: number, k0: number, k1: number, k2: number, k3: number): number {
    const set = k0 === 0 && k1 === 0 && k2 === 0xffff ? set4(k3) : setOf(k0, k1, k2, k3);
    const b = find(set, k0, k1, k2, k3, tagExact);
    if (b >= 0) {
      counters.hits++;
      return b;
    }
    counters.misses++;
    ask(addressText(family, words, o));
    return fill(set, k0, k1, k2, k3, tagExact, extra === null ? 0 : 1 + extra.match(family, words, o));
  }

  function lookup(family: number, words: Uint32Array, o: number): number {
    let v4 = family === 4;
    let a = 0, w0 = 0, w1 = 0;
    if (v4) a = words[o]!;
    else if (family === 6) {
      w0 = words[o]!;
      w1 = words[o + 1]!;
      // IPv4-mapped (RFC 4291 2.5.5.2): the IPv4 address's slots.
      if (w0 === 0 && w1 === 0 && words[o + 2] === 0xffff) {
        v4 = true;
        a = words[o + 3]!;
      }
    } else return -1;
    // The block's key: IPv4 as ::ffff:a.b.c.0, IPv6 as its /48.
    const k0 = v4 ? 0 : w0;
    const k1 = v4 ? 0 : (w1 & 0xffff0000) >>> 0;
    const k2 = v4 ? 0xffff : 0;
    const k3 = v4 ? (a & 0xffffff00) >>> 0 : 0;
    const set = v4 ? set4(k3) : setOf(k0, k1, 0, 0);
    const first = set * SLOT_WORDS;
    for (let b = first; b < first + 4 * SLOT_WORDS; b += SLOT_WORDS) {
      if (table[b + 3] !== k3 || table[b + 1] !== k1 || table[b] !== k0 || table[b + 2] !== k2) continue;
      const tag = table[b + 4];
      if (tag === tagBlock) {
        counters.hits++;
        return b;
      }
      if (tag === tagSplit) return v4 ? exact(family, words, o, 0, 0, 0xffff, a) : exact(family, words, o, w0, w1, words[o + 2]!, words[o + 3]!);
    }
    counters.misses++;
    ask(addressText(family, words, o));
    const bits = v4 ? BLOCK4_BITS : BLOCK6_BITS;
    let ex = 0;
    if (countryBits <= bits && asnBits <= bits) ex = extra === null ? 0 : v4 ? extra.block4(a, bits) : extra.block6(w0, w1, bits);
    else ex = BLOCK_SPLIT;
    if (ex !== BLOCK_SPLIT) return fill(set, k0, k1, k2, k3, tagBlock, 1 + ex);
    fill(set, k0, k1, k2, k3, tagSplit, 0);
    // Counted once: the miss above already asked for this address.
    const e0 = v4 ? 0 : w0, e1 = v4 ? 0 : w1, e2 = v4 ? 0xffff : words[o + 2]!, e3 = v4 ? a : words[o + 3]!;
    return fill(v4 ? set4(a) : setOf(e0, e1, e2, e3), e0, e1, e2, e3, tagExact, extra === null ? 0 : 1 + extra.match(family, words, o));
  }

  return {
    table,
    counters,
    asName: (n) => names.get(n),
    asNames: () => names,
    refresh() {
      if (generation() === g) return;
      g = generation();
      tagExact = (g << 2) | EXACT;
      tagBlock = (g << 2) | BLOCK;
      tagSplit = (g << 2) | SPLIT;
    },
    setExtra(next) {
      extra = next;
      extras++;
    },
    lookup,
    resolveAll(family, words, n, country, as, asMode, extra) {
      let hits = 0;
      // Neighbouring records often share a block: the last IPv4 block hit, forgotten on a miss
      // (whose fill may reuse its way).
      let lastKey = -1;
      let last = -1;
      for (let i = 0; i < n; i++) {
        const o = i << 2;
        let b = -1;
        if (family[i] === 4) {
          const k3 = (words[o]! & 0xffffff00) >>> 0;
          if (k3 === lastKey) b = last;
          else {
            const first = set4(k3) * SLOT_WORDS;
            for (let w = first; w < first + 4 * SLOT_WORDS; w += SLOT_WORDS) {
              if (table[w + 3] === k3 && table[w + 4] === tagBlock && table[w + 2] === 0xffff && table[w + 1] === 0 && table[w] === 0) {
                b = last = w;
                lastKey = k3;
                break;
              }
            }
          }
        }
        if (b >= 0) hits++;
        else {
          lastKey = -1;
          b = lookup(family[i]!, words, o);
          if (b < 0) {
            country[i] = 0;
            extra[i] = 0;
            continue;
          }
        }
        // Read while the slot's line is in cache: a second pass would fetch it again.
        country[i] = table[b + SLOT_COUNTRY]!;
        if (asMode === AS_ALWAYS || (asMode === AS_WHEN_ZERO && as[i] === 0)) as[i] = table[b + SLOT_ASN]!;
        extra[i] = table[b + SLOT_EXTRA]!;
      }
      counters.hits += hits;
    },
  };
}
