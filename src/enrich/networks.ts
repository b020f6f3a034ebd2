// The operator's networks ([[network]] and the networks CSV): longest-prefix match for IPv4 and
// IPv6. Nested prefixes are flattened once, at build, into sorted non-overlapping ranges, each
// holding the index of the most specific prefix that covers it (or -1); a lookup is a binary
// search over typed arrays, so tens of thousands of prefixes cost a few hundred KB and ~16
// compares, and nothing is allocated per flow.
import type { Cidr } from "../config/types.ts";
import { BLOCK_SPLIT, type ExtraLookup } from "./geo.ts";

export interface PrefixTable extends ExtraLookup {
  /** The index (into the prefixes given to build) of the longest match, or -1. */
  match(family: number, words: Uint32Array, o: number): number;
  readonly ranges4: number;
  readonly ranges6: number;
}

interface Span {
  start: bigint;
  end: bigint;
  index: number;
}

function span(c: Cidr, index: number): Span {
  const width = c.family === 4 ? 32 : 128;
  let v = 0n;
  for (let k = 0; k < (c.family === 4 ? 1 : 4); k++) v = (v << 32n) | BigInt(c.words[k] ?? 0);
  const size = 1n << BigInt(width - c.bits);
  return { start: v, end: v + size - 1n, index };
}

/** Sorted range starts and the prefix each range belongs to (-1 between prefixes). */
function flatten(spans: Span[]): { starts: bigint[]; owner: number[] } {
  // Wider first at equal starts, so a nested prefix is pushed above the one that holds it.
  spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
  const starts: bigint[] = [];
  const owner: number[] = [];
  const emit = (at: bigint, who: number): void => {
    if (starts.length > 0 && starts[starts.length - 1] === at) owner[owner.length - 1] = who;
    else if (owner.length > 0 && owner[owner.length - 1] === who) return;
    else {
      starts.push(at);
      owner.push(who);
    }
  };
  const stack: Span[] = [];
  // Closes every open prefix that ends before `at`; the range after each belongs to its parent.
  const closeBefore = (at: bigint | null): void => {
    while (stack.length > 0 && (at === null || stack[stack.length - 1]!.end < at)) {
      const top = stack.pop()!;
      emit(top.end + 1n, stack[stack.length - 1]?.index ?? -1);
    }
  };
  emit(0n, -1);
  for (const s of spans) {
    closeBefore(s.start);
    emit(s.start, s.index);
    stack.push(s);
  }
  closeBefore(null);
  return { starts, owner };
}

function sameOwner(owner: Int32Array, first: number, last: number): number {
  const o = owner[first]!;
  for (let k = first + 1; k <= last; k++) if (owner[k] !== o) return BLOCK_SPLIT;
  return o;
}

export function buildPrefixTable(prefixes: readonly Cidr[]): PrefixTable {
  const v4 = flatten(prefixes.flatMap((c, i) => (c.family === 4 ? [span(c, i)] : [])));
  const v6 = flatten(prefixes.flatMap((c, i) => (c.family === 6 ? [span(c, i)] : [])));
  // A range starting at 2^32 (or 2^128) lies past the last address and is never searched.
  const starts4 = new Uint32Array(v4.starts.filter((s) => s <= 0xffffffffn).map(Number));
  const owner4 = Int32Array.from(v4.owner.slice(0, starts4.length));
  // first16[p]: the last range starting at or below p.0.0 (p = the address's top 16 bits), so an
  // IPv4 search covers only the ranges inside one /16: 256 KB for a few compares instead of ~16.
  const first16 = new Int32Array(65537);
  for (let p = 0, k = 0; p < 65536; p++) {
    while (k + 1 < starts4.length && starts4[k + 1]! <= p * 65536) k++;
    first16[p] = k;
  }
  first16[65536] = starts4.length - 1;
  const n6 = v6.starts.filter((s) => s < 1n << 128n).length;
  const starts6 = new Uint32Array(n6 * 4);
  for (let k = 0; k < n6; k++) {
    const s = v6.starts[k]!;
    for (let w = 0; w < 4; w++) starts6[k * 4 + w] = Number((s >> BigInt(96 - 32 * w)) & 0xffffffffn);
  }
  const owner6 = Int32Array.from(v6.owner.slice(0, n6));

  // Binary searches written out: a comparator closure would be a call per step.
  const index4 = (a: number): number => {
    const p = a >>> 16;
    let lo = first16[p]!;
    let hi = first16[p + 1]!;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (a < starts4[mid]!) hi = mid - 1;
      else lo = mid;
    }
    return lo;
  };
  const index6 = (a0: number, a1: number, a2: number, a3: number): number => {
    let lo = 0;
    let hi = n6 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const b = mid * 4;
      const s0 = starts6[b]!, s1 = starts6[b + 1]!, s2 = starts6[b + 2]!;
      const less = a0 !== s0 ? a0 < s0 : a1 !== s1 ? a1 < s1 : a2 !== s2 ? a2 < s2 : a3 < starts6[b + 3]!;
      if (less) hi = mid - 1;
      else lo = mid;
    }
    return lo;
  };

  return {
    ranges4: starts4.length,
    ranges6: n6,
    match(family, words, o) {
      if (family === 4) return owner4[index4(words[o]!)]!;
      if (family !== 6) return -1;
      const a0 = words[o]!, a1 = words[o + 1]!, a2 = words[o + 2]!, a3 = words[o + 3]!;
      // IPv4-mapped IPv6 (RFC 4291 2.5.5.2) is the IPv4 address.
      if (a0 === 0 && a1 === 0 && a2 === 0xffff) return owner4[index4(a3)]!;
      return owner6[index6(a0, a1, a2, a3)]!;
    },
    // A block has one answer when every range from its first address to its last has the same
    // owner (a block holds few ranges; neighbours may share an owner).
    block4(a, bits) {
      const host = bits >= 32 ? 0 : 0xffffffff >>> bits;
      return sameOwner(owner4, index4((a & ~host) >>> 0), index4((a | host) >>> 0));
    },
    block6(w0, w1, bits) {
      if (bits <= 32 || bits > 64) throw new RangeError("IPv6 blocks are /33 to /64");
      const host = 0xffffffff >>> (bits - 32);
      return sameOwner(owner6, index6(w0, (w1 & ~host) >>> 0, 0, 0), index6(w0, (w1 | host) >>> 0, 0xffffffff, 0xffffffff));
    },
  };
}
