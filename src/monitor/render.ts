// Key words back to row values: address text, MAC text. Kept here rather than shared because
// monitor keys store IPv4 as IPv4-mapped IPv6 words (see keyspec.ts), which only this folder knows.

export function formatV4(w: number): string {
  return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
}

/** RFC 5952 section 4: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function formatV6(a: Uint32Array, o: number): string {
  const g: number[] = [];
  for (let w = 0; w < 4; w++) {
    const x = a[o + w]!;
    g.push(x >>> 16, x & 0xffff);
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(0, 8);
  return `${hex(0, best)}::${hex(best + bestLen, 8)}`;
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
