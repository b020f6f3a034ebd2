// IP addresses as numbers: IPv4 is one 32-bit word, IPv6 four big-endian words — the layout of
// FlowBatch address columns. Shared by config (CIDRs), filters, keys, receive and decode output.
import type { Cidr } from "../config/types.ts";

/** Parses an IPv4 or IPv6 literal into `out` (4 words, IPv4 in word 0). Returns 4, 6, or 0 if invalid. */
export function parseAddressWords(text: string, out: Uint32Array | number[]): 0 | 4 | 6 {
  if (text.includes(":")) return parseV6(text, out) ? 6 : 0;
  const v4 = parseV4(text);
  if (v4 < 0) return 0;
  out[0] = v4;
  out[1] = 0;
  out[2] = 0;
  out[3] = 0;
  return 4;
}

function parseV4(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4) return -1;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return -1;
    const n = Number(p);
    if (n > 255) return -1;
    v = v * 256 + n;
  }
  return v >>> 0;
}

function parseV6(text: string, out: Uint32Array | number[]): boolean {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const groups: number[] = [];
  const halves = s.split("::");
  if (halves.length > 2) return false;
  const parseHalf = (h: string): number[] | null => {
    if (h === "") return [];
    const r: number[] = [];
    const items = h.split(":");
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as string;
      if (it.includes(".")) {
        if (i !== items.length - 1) return null;
        const v4 = parseV4(it);
        if (v4 < 0) return null;
        r.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
        r.push(parseInt(it, 16));
      }
    }
    return r;
  };
  const head = parseHalf(halves[0] as string);
  const tail = halves.length === 2 ? parseHalf(halves[1] as string) : [];
  if (!head || !tail) return false;
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return false;
    groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    if (head.length !== 8) return false;
    groups.push(...head);
  }
  for (let w = 0; w < 4; w++) out[w] = (((groups[w * 2] as number) << 16) | (groups[w * 2 + 1] as number)) >>> 0;
  return true;
}

export function formatV4(w: number): string {
  return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
}

/** RFC 5952 text: lower case, longest run of two or more zero groups compressed. */
export function formatV6(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return `::ffff:${formatV4(w3)}`; // RFC 5952 section 5
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** IPv4 text of the 4 bytes at `at` of a packet. */
export function formatV4Bytes(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** IPv6 text (RFC 5952) of the 16 bytes at `at` of a packet. */
export function formatV6Bytes(b: Uint8Array, at: number): string {
  const w = (k: number) => (((b[at + k] ?? 0) << 24) | ((b[at + k + 1] ?? 0) << 16) | ((b[at + k + 2] ?? 0) << 8) | (b[at + k + 3] ?? 0)) >>> 0;
  return formatV6(w(0), w(4), w(8), w(12));
}

/** Formats the address at word offset `o` of a column. */
export function formatAddress(family: number, words: Uint32Array, o = 0): string {
  if (family === 4) return formatV4(words[o] as number);
  if (family === 6) return formatV6(words[o] as number, words[o + 1] as number, words[o + 2] as number, words[o + 3] as number);
  return "";
}

/** Mask for the `bits`-long prefix within word index w (0..3). */
export function prefixMask(bits: number, w: number): number {
  const b = bits - w * 32;
  if (b >= 32) return 0xffffffff;
  if (b <= 0) return 0;
  return (0xffffffff << (32 - b)) >>> 0;
}

export function cidrContains(c: Cidr, family: number, words: Uint32Array, o = 0): boolean {
  if (family !== c.family) return false;
  const n = family === 4 ? 1 : 4;
  for (let w = 0; w < n; w++) {
    const m = prefixMask(c.bits, w);
    if ((((words[o + w] as number) & m) >>> 0) !== (c.words[w] as number)) return false;
  }
  return true;
}

/** An IPv4 or IPv6 address without prefix length, as a /32 or /128. */
export function parseAddress(text: string): Cidr | string {
  const w: [number, number, number, number] = [0, 0, 0, 0];
  const family = parseAddressWords(text, w);
  if (family === 0) return `expected an IPv4 or IPv6 address, found "${text}"`;
  return { family, words: w, bits: family === 4 ? 32 : 128, text: formatWords(family, w) };
}

/** "192.0.2.0/24", "2001:db8::/32", or a bare address (a host prefix). Host bits must be zero. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf("/");
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (typeof addr === "string") return `expected an address or CIDR like "192.0.2.0/24", found "${text}"`;
  if (slash < 0) return addr;
  const lenText = text.slice(slash + 1);
  const max = addr.family === 4 ? 32 : 128;
  const bits = /^\d{1,3}$/.test(lenText) ? Number(lenText) : Number.NaN;
  if (!(bits <= max)) return `prefix length must be 0..${max}, found "${lenText}" in "${text}"`;
  const words = addr.words.map((w, k) => (w & prefixMask(bits, k)) >>> 0) as [number, number, number, number];
  const net = `${formatWords(addr.family, words)}/${bits}`;
  if (words.some((w, k) => w !== addr.words[k])) return `host bits set in "${text}" (did you mean "${net}"?)`;
  return { family: addr.family, words, bits, text: net };
}

function formatWords(family: 4 | 6, w: readonly number[]): string {
  return family === 4 ? formatV4(w[0] ?? 0) : formatV6(w[0] ?? 0, w[1] ?? 0, w[2] ?? 0, w[3] ?? 0);
}
