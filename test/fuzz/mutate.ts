// The mutation engine: seeded, so a run replays exactly. Blind mutations (bit flips, byte sets,
// truncation, garbage appended, splicing two datagrams) plus structure-aware ones aimed at the
// fields a parser trusts: set lengths, template ids, field counts and lengths, variable-length
// prefixes (RFC 7011 section 7), header counts and lengths; in sFlow their 32-bit counterparts
// (sample and record lengths and formats, counts, sampled header lengths: the classic sFlow DoS).
import type { Rng } from "./rng.ts";
import { type Layout, layout } from "./structure.ts";

export const KINDS = [
  "bitFlip", "byteSet", "truncate", "extend", "setLength", "setId", "templateId", "fieldCount",
  "fieldLength", "varlen", "headerCount", "splice", "duplicateSet",
] as const;
export type MutationKind = (typeof KINDS)[number];
const BLIND = KINDS.slice(0, 4);
const AIMED = KINDS.slice(4);

// Lengths that sit on every boundary a set parser checks: under the 4-byte set header, exactly
// it, odd, and the largest a u16 holds.
const SET_LENGTHS = [0, 1, 3, 4, 5, 65535] as const;
const EXTREMES = [0, 1, 255, 256, 65535] as const;
const FIELD_LENGTHS = [0, 65535, 1, 3, 8, 16, 17] as const;
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] as const;
// sFlow's 32-bit words: beside the 16-bit values above, lengths and counts past any datagram.
const WORD_EXTREMES = [0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff, 0x10000] as const;
// sFlow formats: the known sample and record kinds, an enterprise's, and nonsense.
const SFLOW_FORMATS = [0, 1, 2, 3, 4, 5, 6, 1001, 1002, 1003, 1004, (1 << 12) | 1, 0xffffffff] as const;

function put16(b: Uint8Array, at: number, v: number): void {
  if (at + 1 >= b.length) return;
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  if (at + 3 >= b.length) return;
  put16(b, at, Math.floor(v / 65536) & 0xffff);
  put16(b, at + 2, v & 0xffff);
}

/** A length or count: 16-bit in NetFlow; in sFlow a 32-bit word, its extremes a fifth of the time. */
function putCount(rng: Rng, l: Layout, b: Uint8Array, at: number, v: number): void {
  if (!l.words) put16(b, at, v);
  else put32(b, at, rng.chance(0.2) ? rng.pick(WORD_EXTREMES) : v);
}

function aim(rng: Rng, xs: readonly number[], b: Uint8Array): number {
  return xs.length > 0 ? rng.pick(xs) : rng.int(b.length);
}

/** Applies one mutation of `kind`; returns the (possibly new) datagram. `other` feeds splicing. */
export function mutateOnce(rng: Rng, kind: MutationKind, b: Uint8Array, other: Uint8Array): Uint8Array {
  if (b.length === 0) return kind === "extend" || kind === "splice" ? other.slice(0, rng.int(other.length + 1)) : b;
  const l = layout(b);
  switch (kind) {
    case "bitFlip": {
      for (let n = 1 + rng.int(8); n > 0; n--) {
        const at = rng.int(b.length);
        b[at]! ^= 1 << rng.int(8);
      }
      return b;
    }
    case "byteSet": {
      for (let n = 1 + rng.int(4); n > 0; n--) b[rng.int(b.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
      return b;
    }
    case "truncate":
      return b.slice(0, rng.int(b.length));
    case "extend": {
      const out = new Uint8Array(b.length + 1 + rng.int(rng.chance(0.1) ? 2048 : 64));
      out.set(b);
      const zeros = rng.chance(0.3);
      for (let p = b.length; p < out.length; p++) out[p] = zeros ? 0 : rng.int(256);
      return out;
    }
    case "setLength":
      putCount(rng, l, b, aim(rng, l.setLens, b), rng.chance(0.8) ? rng.pick(SET_LENGTHS) : rng.int(65536));
      return b;
    case "setId":
      if (l.words) put32(b, aim(rng, l.setIds, b), rng.pick(SFLOW_FORMATS));
      else put16(b, aim(rng, l.setIds, b), rng.pick([0, 1, 2, 3, 4, 255, 256, 257, 65535]));
      return b;
    case "templateId":
      if (l.words) put32(b, aim(rng, l.templateIds, b), rng.pick(SFLOW_FORMATS));
      else put16(b, aim(rng, l.templateIds, b), rng.pick(EXTREMES));
      return b;
    case "fieldCount":
      putCount(rng, l, b, aim(rng, l.fieldCounts, b), rng.chance(0.8) ? rng.pick(EXTREMES) : rng.int(65536));
      return b;
    case "fieldLength":
      putCount(rng, l, b, aim(rng, l.fieldLens, b), rng.pick(FIELD_LENGTHS));
      return b;
    case "varlen": {
      // A length prefix claiming more than the set holds: 1-byte 255 (then a 2-byte length) or
      // the 3-byte form with 0xffff, somewhere inside a data set.
      const k = l.data.length >= 2 ? 2 * rng.int(l.data.length / 2) : -1;
      const from = k >= 0 ? l.data[k]! : 0;
      const to = k >= 0 ? l.data[k + 1]! : b.length;
      const at = from + rng.int(Math.max(1, to - from));
      if (at >= b.length) return b;
      b[at] = rng.chance(0.3) ? 1 + rng.int(254) : 255;
      if (b[at] === 255 && rng.chance(0.7)) put16(b, at + 1, rng.chance(0.7) ? 0xffff : rng.int(65536));
      return b;
    }
    case "headerCount":
      if (l.countAt >= 0) putCount(rng, l, b, l.countAt, rng.chance(0.6) ? rng.pick([0, 1, 16, 17, 65535]) : rng.int(65536));
      return b;
    case "splice": {
      const cut = rng.int(b.length + 1);
      const from = rng.int(other.length + 1);
      const out = new Uint8Array(cut + other.length - from);
      out.set(b.subarray(0, cut));
      out.set(other.subarray(from), cut);
      // Half the time the IPFIX message length is made to agree, so the splice gets past the header.
      if (l.version === 10 && rng.chance(0.5)) put16(out, 2, Math.min(out.length, 65535));
      return out;
    }
    case "duplicateSet": {
      // A set repeated (templates learned twice, data decoded twice) within one message.
      if (l.setIds.length === 0) return b;
      const s = rng.pick(l.setIds);
      // An sFlow sample's length word follows its format and leaves out the 8 bytes of both.
      const len = l.words ? 8 + ((b[s + 6] ?? 0) << 8) + (b[s + 7] ?? 0) : ((b[s + 2] ?? 0) << 8) | (b[s + 3] ?? 0);
      const piece = b.subarray(s, Math.min(b.length, s + Math.max(4, len)));
      const out = new Uint8Array(b.length + piece.length * (1 + rng.int(3)));
      out.set(b);
      for (let p = b.length; p < out.length; p += piece.length) out.set(piece, p);
      if (l.version === 10) put16(out, 2, Math.min(out.length, 65535));
      else if (l.words && l.countAt >= 0) put32(out, l.countAt, l.setIds.length + (out.length - b.length) / piece.length);
      return out;
    }
  }
}

/** 1..4 mutations (fewer more often), structure-aware ones twice as likely as blind ones. */
export function mutate(rng: Rng, seed: Uint8Array, other: Uint8Array): { out: Uint8Array; kinds: MutationKind[] } {
  let out: Uint8Array = seed.slice();
  const kinds: MutationKind[] = [];
  const n = 1 + (rng.chance(0.5) ? 0 : rng.chance(0.5) ? 1 : 1 + rng.int(3));
  for (let k = 0; k < n; k++) {
    const kind = rng.chance(0.35) ? rng.pick(BLIND) : rng.pick(AIMED);
    kinds.push(kind);
    out = mutateOnce(rng, kind, out, other);
  }
  return { out, kinds };
}
