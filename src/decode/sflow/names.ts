// Names in sampled payloads: the query name of a DNS response (RFC 1035 section 4.1) and the
// server name of a TLS ClientHello (RFC 8446 section 4.1.2, RFC 6066 section 3). Only positions
// are kept (no string is built on the collector's path); what runs past the header is skipped.
import type { SflowFlow } from "./flow.ts";

const DNS_HEADER = 12;
const DNS_QR = 0x80; // in the first flags byte: a response
const DNS_NAME_MAX = 255;
const DNS_POINTER = 0xc0; // a compressed name: never in the first question of a well-formed response

export const TLS_HANDSHAKE = 22; // RFC 8446 section 5.1 ContentType handshake
const TLS_CLIENT_HELLO = 1;
const TLS_RECORD_HEADER = 5;
const TLS_EXT_SERVER_NAME = 0;
const SNI_HOST_NAME = 0;

const u16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;

/** The DNS message at b[p, end): a response's first question name. */
export function dnsName(f: SflowFlow, b: Uint8Array, p: number, end: number): void {
  if (end - p < DNS_HEADER || (b[p + 2]! & DNS_QR) === 0 || u16(b, p + 4) === 0) return;
  const start = p + DNS_HEADER;
  let q = start;
  for (;;) {
    if (q >= end || q - start > DNS_NAME_MAX) return;
    const len = b[q]!;
    if (len === 0) break;
    if ((len & DNS_POINTER) !== 0 || q + 1 + len > end) return;
    q += 1 + len;
  }
  if (q === start) return; // the root: no name
  f.dnsAt = start;
  f.dnsLen = q - start;
}

/** The TCP payload at b[p, end): a ClientHello's host_name. */
export function tlsServerName(f: SflowFlow, b: Uint8Array, p: number, end: number): void {
  if (end - p < TLS_RECORD_HEADER + 4 + 2 + 32 + 1 || b[p] !== TLS_HANDSHAKE || b[p + 1] !== 3 || b[p + 5] !== TLS_CLIENT_HELLO) return;
  let q = p + TLS_RECORD_HEADER + 4 + 2 + 32; // handshake header, legacy_version, random
  q += 1 + b[q]!; // legacy_session_id
  if (q + 2 > end) return;
  q += 2 + u16(b, q); // cipher_suites
  if (q + 1 > end) return;
  q += 1 + b[q]!; // legacy_compression_methods
  if (q + 2 > end) return;
  const extEnd = Math.min(end, q + 2 + u16(b, q));
  q += 2;
  while (q + 4 <= extEnd) {
    const type = u16(b, q);
    const len = u16(b, q + 2);
    q += 4;
    if (type === TLS_EXT_SERVER_NAME) {
      // ServerNameList: 2-byte length, then name_type, 2-byte length, the name.
      if (q + 5 > extEnd || b[q + 2] !== SNI_HOST_NAME) return;
      const n = u16(b, q + 3);
      if (n === 0 || q + 5 + n > extEnd) return;
      f.sniAt = q + 5;
      f.sniLen = n;
      return;
    }
    q += len;
  }
}

const ascii = new TextDecoder("latin1");

/** The DNS name at f.dnsAt as dotted text. */
export function dnsNameText(f: SflowFlow): string {
  const b = f.bytes;
  const labels: string[] = [];
  for (let q = f.dnsAt; q < f.dnsAt + f.dnsLen; q += 1 + b[q]!) labels.push(ascii.decode(b.subarray(q + 1, q + 1 + b[q]!)));
  return labels.join(".");
}

export function sniText(f: SflowFlow): string {
  return ascii.decode(f.bytes.subarray(f.sniAt, f.sniAt + f.sniLen));
}
