// Field positions of one record of a template with variable-length fields (RFC 7011 section 7:
// a length byte, or 255 followed by a 2-byte length). Fixed-size templates need no walk.
import { type Template, VARLEN } from "./template.ts";
import { u16 } from "./wire.ts";

/**
 * Fills pos/lens for the record at `o` and returns the offset after it, or -1 when a field runs
 * past `end`.
 */
export function walkRecord(t: Template, b: Uint8Array, o: number, end: number, pos: Int32Array, lens: Int32Array): number {
  let p = o;
  const fields = t.fields;
  for (let k = 0; k < fields.length; k++) {
    let len = fields[k]!.len;
    if (len === VARLEN) {
      if (p + 1 > end) return -1;
      len = b[p]!;
      p += 1;
      if (len === 255) {
        if (p + 2 > end) return -1;
        len = u16(b, p);
        p += 2;
      }
    }
    if (p + len > end) return -1;
    pos[k] = p;
    lens[k] = len;
    p += len;
  }
  return p;
}

/** Positions of a fixed-size template's fields, relative to the record start. */
export function fixedOffsets(t: Template): number[] {
  const out: number[] = [];
  let p = 0;
  for (const f of t.fields) {
    out.push(p);
    p += f.len;
  }
  return out;
}
