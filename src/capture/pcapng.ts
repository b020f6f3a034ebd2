// pcapng block walker (draft-ietf-opsawg-pcapng, the format Wireshark writes by default).
// Hands every packet block to `visit` with its interface's link type and a millisecond time;
// other blocks are stepped over. Each Section Header Block sets the byte order and starts a new
// interface list.

export const PCAPNG_SHB = 0x0a0d0d0a; // section 4.1, the same in both byte orders
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d; // section 4.1
const PCAPNG_IDB = 0x00000001; // section 4.2
const PCAPNG_OPB = 0x00000002; // obsolete Packet Block, appendix
const PCAPNG_SPB = 0x00000003; // section 4.4: no interface id, no timestamp
const PCAPNG_EPB = 0x00000006; // section 4.3
const OPT_ENDOFOPT = 0;
const IF_TSRESOL = 9; // section 4.2: default 10^-6 s
const IF_TSOFFSET = 14; // section 4.2: seconds added to every timestamp

export type PacketVisitor = (frame: number, linkType: number, start: number, end: number, tsMs: number) => void;

interface Interface {
  linkType: number;
  unitsPerMs: number;
  offsetMs: number;
}

/** Walks the file; returns how many blocks or packets could not be read (a broken tail counts once). */
export function walkPcapng(b: Uint8Array, visit: PacketVisitor): { packets: number; broken: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let le = true;
  let ifaces: Interface[] = [];
  let frame = 0;
  let broken = 0;
  let lastMs = 0;
  let at = 0;
  while (at + 12 <= b.length) {
    const type = v.getUint32(at, le);
    if (type === PCAPNG_SHB) {
      const magic = v.getUint32(at + 8, true);
      if (magic === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (v.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else return { packets: frame, broken: broken + 1 };
      ifaces = [];
    }
    const len = v.getUint32(at + 4, le);
    if (len < 12 || len % 4 !== 0 || at + len > b.length) return { packets: frame, broken: broken + 1 };
    const bodyEnd = at + len - 4;
    if (type === PCAPNG_IDB && len >= 20) {
      ifaces.push(readInterface(v, at, bodyEnd, le));
    } else if (type === PCAPNG_EPB || type === PCAPNG_OPB || type === PCAPNG_SPB) {
      frame++;
      const simple = type === PCAPNG_SPB;
      const head = simple ? 12 : 28;
      const iface = simple ? ifaces[0] : ifaces[type === PCAPNG_EPB ? v.getUint32(at + 8, le) : v.getUint16(at + 8, le)];
      const cap = simple ? Math.min(v.getUint32(at + 8, le), len - 16) : len >= 32 ? v.getUint32(at + 20, le) : -1;
      if (!iface || cap < 0 || at + head + cap > bodyEnd) {
        broken++;
      } else {
        if (!simple) {
          const units = v.getUint32(at + 12, le) * 2 ** 32 + v.getUint32(at + 16, le);
          lastMs = units / iface.unitsPerMs + iface.offsetMs;
        }
        visit(frame, iface.linkType, at + head, at + head + cap, lastMs);
      }
    }
    at += len;
  }
  return { packets: frame, broken: at < b.length ? broken + 1 : broken };
}

function readInterface(v: DataView, at: number, end: number, le: boolean): Interface {
  const iface: Interface = { linkType: v.getUint16(at + 8, le), unitsPerMs: 1e3, offsetMs: 0 };
  let o = at + 16;
  while (o + 4 <= end) {
    const code = v.getUint16(o, le);
    const len = v.getUint16(o + 2, le);
    if (code === OPT_ENDOFOPT || o + 4 + len > end) break;
    if (code === IF_TSRESOL && len >= 1) {
      const r = v.getUint8(o + 4);
      // The high bit picks a power of two, else a power of ten, of units per second.
      iface.unitsPerMs = (r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r) / 1000;
    } else if (code === IF_TSOFFSET && len >= 8) {
      iface.offsetMs = Number(v.getBigInt64(o + 4, le)) * 1000;
    }
    o += 4 + ((len + 3) & ~3);
  }
  return iface;
}
