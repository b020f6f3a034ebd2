// What a MaxMind-format record says, whichever vendor wrote it: the country as a number the
// batch holds, the AS number and organisation; and an address as the text mmdb-lib takes.
import type { Response } from "mmdb-lib";
import { formatV4, formatV6 } from "../net/address.ts";

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
