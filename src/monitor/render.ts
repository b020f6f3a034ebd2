// Key words back to row values: address text, MAC text. The key layout is this folder's own:
// monitor keys store IPv4 as IPv4-mapped IPv6 words (see keyspec.ts).
import { formatV4, formatV6 as formatV6Words } from "../net/address.ts";

export { formatV4 } from "../net/address.ts";

/** RFC 5952 text of the four words at `o`. */
export function formatV6(a: Uint32Array, o: number): string {
  return formatV6Words(a[o]!, a[o + 1]!, a[o + 2]!, a[o + 3]!);
}

/** IPv4-mapped prefix ::ffff:0:0/96 (RFC 4291 section 2.5.5.2): how keys hold IPv4 addresses. */
export function isMappedV4(a: Uint32Array, o: number): boolean {
  return a[o] === 0 && a[o + 1] === 0 && a[o + 2] === 0xffff;
}

/** A 4-word key address: IPv4 text for mapped addresses, IPv6 text otherwise, null when all zero (none). */
export function formatKeyAddress(a: Uint32Array, o: number): string | null {
  if (isMappedV4(a, o)) return formatV4(a[o + 3]!);
  if (a[o] === 0 && a[o + 1] === 0 && a[o + 2] === 0 && a[o + 3] === 0) return null;
  return formatV6(a, o);
}

/** A 48-bit MAC held as a number: "aa:bb:cc:dd:ee:ff". */
export function formatMac(v: number): string {
  const hi = Math.floor(v / 0x100000000);
  const lo = v >>> 0;
  const bytes = [(hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255];
  return bytes.map((x) => x.toString(16).padStart(2, "0")).join(":");
}
