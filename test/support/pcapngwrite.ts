// pcapng builder for the capture reader's tests: sections, interfaces (link type, if_tsresol,
// if_tsoffset), enhanced, simple and obsolete packet blocks, and blocks the reader must skip.

export type NgBlock =
  | { kind: "shb" }
  | { kind: "idb"; linkType: number; tsresol?: number; tsoffsetSec?: number }
  | { kind: "epb"; iface: number; units: bigint; data: Uint8Array; capLen?: number }
  | { kind: "opb"; iface: number; units: bigint; data: Uint8Array }
  | { kind: "spb"; data: Uint8Array }
  | { kind: "other"; type: number; body: Uint8Array };

const pad4 = (n: number) => (n + 3) & ~3;

/** One pcapng file (or section run) in the given byte order. */
export function pcapngFile(blocks: readonly NgBlock[], bigEndian = false): Uint8Array {
  const le = !bigEndian;
  const parts = blocks.map((b) => block(b, le));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function block(b: NgBlock, le: boolean): Uint8Array {
  switch (b.kind) {
    case "shb": {
      const body = new Uint8Array(16);
      const v = new DataView(body.buffer);
      v.setUint32(0, 0x1a2b3c4d, le);
      v.setUint16(4, 1, le);
      v.setUint16(6, 0, le);
      v.setBigInt64(8, -1n, le); // section length unknown
      return frame(0x0a0d0d0a, body, le);
    }
    case "idb": {
      const opts: Uint8Array[] = [];
      if (b.tsresol !== undefined) opts.push(option(9, Uint8Array.of(b.tsresol), le));
      if (b.tsoffsetSec !== undefined) {
        const val = new Uint8Array(8);
        new DataView(val.buffer).setBigInt64(0, BigInt(b.tsoffsetSec), le);
        opts.push(option(14, val, le));
      }
      if (opts.length) opts.push(new Uint8Array(4)); // opt_endofopt
      const body = concat([new Uint8Array(8), ...opts]);
      const v = new DataView(body.buffer);
      v.setUint16(0, b.linkType, le);
      v.setUint32(4, 262144, le);
      return frame(1, body, le);
    }
    case "epb":
    case "opb": {
      const cap = b.kind === "epb" ? (b.capLen ?? b.data.length) : b.data.length;
      const body = new Uint8Array(20 + pad4(cap));
      const v = new DataView(body.buffer);
      if (b.kind === "epb") v.setUint32(0, b.iface, le);
      else v.setUint16(0, b.iface, le);
      v.setUint32(4, Number(b.units >> 32n), le);
      v.setUint32(8, Number(b.units & 0xffffffffn), le);
      v.setUint32(12, cap, le);
      v.setUint32(16, b.data.length, le);
      body.set(b.data.subarray(0, cap), 20);
      return frame(b.kind === "epb" ? 6 : 2, body, le);
    }
    case "spb": {
      const body = new Uint8Array(4 + pad4(b.data.length));
      new DataView(body.buffer).setUint32(0, b.data.length, le);
      body.set(b.data, 4);
      return frame(3, body, le);
    }
    case "other":
      return frame(b.type, concat([b.body, new Uint8Array(pad4(b.body.length) - b.body.length)]), le);
  }
}

function option(code: number, value: Uint8Array, le: boolean): Uint8Array {
  const out = new Uint8Array(4 + pad4(value.length));
  const v = new DataView(out.buffer);
  v.setUint16(0, code, le);
  v.setUint16(2, value.length, le);
  out.set(value, 4);
  return out;
}

function frame(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, out.length, le);
  out.set(body, 8);
  v.setUint32(out.length - 4, out.length, le);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
