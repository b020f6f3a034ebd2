// An address list (`@name`) as sorted, merged intervals, searched by bisection: a list of
// thousands of prefixes costs log2(n) compares per record and no allocation.

import type { Cidr } from "../config/types.ts";

export interface AddrSet {
  /** IPv4: interval starts and ends, ascending, disjoint. */
  readonly v4Lo: Float64Array;
  readonly v4Hi: Float64Array;
  /** IPv6: four big-endian words per interval start / end. */
  readonly v6Lo: Uint32Array;
  readonly v6Hi: Uint32Array;
}

function toBig(w: readonly number[]): bigint {
  let v = 0n;
  for (let k = 0; k < 4; k++) v = (v << 32n) | BigInt((w[k] ?? 0) >>> 0);
  return v;
}

function merge(ranges: [bigint, bigint][]): [bigint, bigint][] {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1n) {
      if (r[1] > last[1]) last[1] = r[1];
    } else out.push([r[0], r[1]]);
  }
  return out;
}

export function createAddrSet(cidrs: readonly Cidr[]): AddrSet {
  const r4: [bigint, bigint][] = [];
  const r6: [bigint, bigint][] = [];
  for (const c of cidrs) {
    const width = c.family === 4 ? 32 : 128;
    const base = c.family === 4 ? BigInt((c.words[0] ?? 0) >>> 0) : toBig(c.words);
    const span = 1n << BigInt(width - c.bits);
    const lo = (base / span) * span; // host bits off, whatever the list file wrote
    (c.family === 4 ? r4 : r6).push([lo, lo + span - 1n]);
  }
  const m4 = merge(r4);
  const m6 = merge(r6);
  const v6Lo = new Uint32Array(m6.length * 4);
  const v6Hi = new Uint32Array(m6.length * 4);
  m6.forEach(([lo, hi], j) => {
    for (let k = 0; k < 4; k++) {
      const shift = BigInt(96 - 32 * k);
      v6Lo[j * 4 + k] = Number((lo >> shift) & 0xffffffffn);
      v6Hi[j * 4 + k] = Number((hi >> shift) & 0xffffffffn);
    }
  });
  return {
    v4Lo: Float64Array.from(m4, (r) => Number(r[0])),
    v4Hi: Float64Array.from(m4, (r) => Number(r[1])),
    v6Lo,
    v6Hi,
  };
}

/** -1, 0, 1: the IPv6 address at words[off..off+3] against interval bound j of `bound`. */
function cmp6(words: Uint32Array, off: number, bound: Uint32Array, j: number): number {
  for (let k = 0; k < 4; k++) {
    const a = words[off + k]!;
    const b = bound[j * 4 + k]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Whether the address at words[off..] of the given family (4 or 6) lies in the set. */
export function addrSetHas(s: AddrSet, family: number, words: Uint32Array, off: number): boolean {
  if (family === 4) {
    const a = words[off]!;
    let lo = 0;
    let hi = s.v4Lo.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (a < s.v4Lo[mid]!) hi = mid - 1;
      else if (a > s.v4Hi[mid]!) lo = mid + 1;
      else return true;
    }
    return false;
  }
  if (family === 6) {
    let lo = 0;
    let hi = s.v6Lo.length / 4 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp6(words, off, s.v6Lo, mid) < 0) hi = mid - 1;
      else if (cmp6(words, off, s.v6Hi, mid) > 0) lo = mid + 1;
      else return true;
    }
  }
  return false;
}
