// Address text for decoded records, and text -> words for the template state's exporter keys;
// the parsing and RFC 5952 formatting themselves live in src/net/address.ts.
import { formatV4Bytes, formatV6Bytes, parseAddressWords } from "../net/address.ts";

/** IPv4 in words[0] (family 4) or four big-endian words (family 6); family 0 when unparsable. */
export function addrWords(text: string): { family: 0 | 4 | 6; words: [number, number, number, number] } {
  const words: [number, number, number, number] = [0, 0, 0, 0];
  return { family: parseAddressWords(text, words), words };
}

export const ipv4Text = formatV4Bytes;
export const ipv6Text = formatV6Bytes;

export function macText(b: Uint8Array, p: number, len: number): string {
  let s = "";
  for (let k = 0; k < len; k++) s += (k ? ":" : "") + b[p + k]!.toString(16).padStart(2, "0");
  return s;
}

export function hexText(b: Uint8Array, p: number, len: number): string {
  let s = "";
  for (let k = 0; k < len; k++) s += b[p + k]!.toString(16).padStart(2, "0");
  return s;
}
