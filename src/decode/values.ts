// One field's value as printed in decode output (DESIGN.md section 4): integers as numbers
// (strings above 2^53), addresses as text, MACs aa:bb:.., strings as text, and anything whose
// length does not fit its type (or is unknown) as a hex string.
import { hexText, ipv4Text, ipv6Text, macText } from "./addr.ts";
import { DataType } from "./elements.ts";
import { readBig, readInt, readUint } from "./reads.ts";
import { NTP_UNIX_OFFSET_S } from "./times.ts";

export type FieldValue = number | string | boolean;

const utf8 = new TextDecoder("utf-8");

/** Text of a string field: UTF-8, cut at the first NUL (fixed-size fields are NUL-padded). */
export function stringValue(b: Uint8Array, p: number, len: number): string {
  let e = p;
  while (e < p + len && b[e] !== 0) e++;
  return utf8.decode(b.subarray(p, e));
}

export function fieldValue(type: DataType, b: Uint8Array, p: number, len: number): FieldValue {
  switch (type) {
    case DataType.unsigned8:
    case DataType.unsigned16:
    case DataType.unsigned32:
    case DataType.unsigned64:
    case DataType.dateTimeMilliseconds:
      if (len < 1 || len > 8) break;
      if (len > 6) {
        const v = readBig(b, p, len);
        return v > BigInt(Number.MAX_SAFE_INTEGER) ? v.toString() : Number(v);
      }
      return readUint(b, p, len);
    case DataType.signed8:
    case DataType.signed16:
    case DataType.signed32:
    case DataType.signed64:
      if (len < 1 || len > 8) break;
      if (len > 6) {
        const u = readBig(b, p, len);
        const v = u >= 1n << BigInt(8 * len - 1) ? u - (1n << BigInt(8 * len)) : u;
        return v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER) ? v.toString() : Number(v);
      }
      return readInt(b, p, len);
    case DataType.float32:
    case DataType.float64: {
      // RFC 7011 section 6.2: a float64 may be sent in 4 bytes as a float32.
      const dv = new DataView(b.buffer, b.byteOffset + p, len);
      if (len === 4) return dv.getFloat32(0);
      if (len === 8) return dv.getFloat64(0);
      break;
    }
    case DataType.boolean:
      // RFC 7011 section 6.1.5: 1 = true, 2 = false.
      if (len === 1 && (b[p] === 1 || b[p] === 2)) return b[p] === 1;
      break;
    case DataType.macAddress:
      if (len === 6) return macText(b, p, len);
      break;
    case DataType.string:
      return stringValue(b, p, len);
    case DataType.ipv4Address:
      if (len === 4) return ipv4Text(b, p);
      break;
    case DataType.ipv6Address:
      if (len === 16) return ipv6Text(b, p);
      break;
    case DataType.dateTimeSeconds:
      if (len >= 1 && len <= 8) return readUint(b, p, len);
      break;
    case DataType.dateTimeMicroseconds:
    case DataType.dateTimeNanoseconds: {
      // RFC 7011 section 6.1.9: NTP format; printed as epoch ms with the sub-ms fraction.
      if (len !== 8) break;
      let frac = readUint(b, p + 4, 4);
      if (type === DataType.dateTimeMicroseconds) frac -= frac % 2048;
      return (readUint(b, p, 4) - NTP_UNIX_OFFSET_S) * 1000 + frac / 4294967.296;
    }
    default:
      break;
  }
  return hexText(b, p, len);
}
