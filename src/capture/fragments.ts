// Reassembles UDP datagrams that IP fragmented (RFC 791 section 3.2, RFC 8200 section 4.5):
// exporters sending 8 KB datagrams over a 1500-byte path do this. A datagram completes when its
// pieces cover it without a gap up to the last piece (no "more fragments" flag); its payload is
// then a copy, the one place the reader copies bytes. Pieces that never complete are counted.

export interface Completed {
  /** The UDP datagram, or null when its reassembled header is malformed. */
  udp: { srcPort: number; dstPort: number; payload: Uint8Array } | null;
  frames: number; // how many captured frames it took
}

interface Pending {
  pieces: { offset: number; bytes: Uint8Array }[];
  total: number; // -1 until the last piece arrives
}

export interface Reassembler {
  /** One piece; the datagram once it is complete, else null. */
  add(key: string, offset: number, more: boolean, bytes: Uint8Array): Completed | null;
  /** Frames still waiting for pieces that never came. */
  incompleteFrames(): number;
}

export function createReassembler(): Reassembler {
  const pending = new Map<string, Pending>();
  return {
    add(key, offset, more, bytes) {
      let p = pending.get(key);
      if (!p) pending.set(key, (p = { pieces: [], total: -1 }));
      p.pieces.push({ offset, bytes });
      if (!more) p.total = offset + bytes.length;
      if (p.total < 0) return null;
      p.pieces.sort((a, b) => a.offset - b.offset);
      let covered = 0;
      for (const piece of p.pieces) {
        if (piece.offset > covered) return null;
        covered = Math.max(covered, piece.offset + piece.bytes.length);
      }
      if (covered < p.total) return null;
      pending.delete(key);
      const whole = new Uint8Array(p.total);
      for (const piece of p.pieces) whole.set(piece.bytes.subarray(0, Math.max(0, p.total - piece.offset)), piece.offset);
      return { udp: udpOf(whole), frames: p.pieces.length };
    },
    incompleteFrames() {
      let n = 0;
      for (const p of pending.values()) n += p.pieces.length;
      return n;
    },
  };
}

/** RFC 768 header of a reassembled datagram. */
function udpOf(b: Uint8Array): Completed["udp"] {
  if (b.length < 8) return null;
  const len = ((b[4] ?? 0) << 8) | (b[5] ?? 0);
  if (len < 8 || len > b.length) return null;
  return { srcPort: ((b[0] ?? 0) << 8) | (b[1] ?? 0), dstPort: ((b[2] ?? 0) << 8) | (b[3] ?? 0), payload: b.subarray(8, len) };
}
