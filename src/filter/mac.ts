// MAC literals. The batch keeps a MAC as a 48-bit number, first octet most significant.

/** "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff". */
export function parseMac(text: string): number | null {
  const m = /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i.exec(text);
  if (m === null) return null;
  let v = 0;
  for (const k of [1, 3, 4, 5, 6, 7]) v = v * 256 + Number.parseInt(m[k] ?? "0", 16);
  return v;
}

export function formatMac(v: number): string {
  const out: string[] = [];
  for (let k = 5; k >= 0; k--) out.push((Math.floor(v / 2 ** (8 * k)) % 256).toString(16).padStart(2, "0"));
  return out.join(":");
}
