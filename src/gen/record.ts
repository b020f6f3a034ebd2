// Writes one FlowBatch record in the shared v9/IPFIX layout. Times arrive already converted to
// the wire's terms (uptime milliseconds for v9, microseconds before export for IPFIX) because
// that conversion is the only thing the two formats disagree on.
import type { FlowBatch } from "../flow/batch.ts";
import { type Column, LAYOUT } from "./layout.ts";

function value(b: FlowBatch, i: number, c: Column, start: number, end: number): number {
  switch (c) {
    case "srcAddr":
      return b.srcAddr[i * 4] ?? 0;
    case "dstAddr":
      return b.dstAddr[i * 4] ?? 0;
    case "nextHop":
      return b.nextHop[i * 4] ?? 0;
    case "inIf":
      return b.inIf[i] ?? 0;
    case "outIf":
      return b.outIf[i] ?? 0;
    case "packets":
      return b.packets[i] ?? 0;
    case "octets":
      return b.octets[i] ?? 0;
    case "start":
      return start;
    case "end":
      return end;
    case "srcPort":
      return b.srcPort[i] ?? 0;
    case "dstPort":
      return b.dstPort[i] ?? 0;
    case "tcpFlags":
      return b.tcpFlags[i] ?? 0;
    case "proto":
      return b.proto[i] ?? 0;
    case "tos":
      return b.tos[i] ?? 0;
    case "srcAs":
      return b.srcAs[i] ?? 0;
    case "dstAs":
      return b.dstAs[i] ?? 0;
    case "srcMask":
      return b.srcMask[i] ?? 0;
    case "dstMask":
      return b.dstMask[i] ?? 0;
  }
}

/** Writes record i of `b` at `off`; values wider than their field are cut to its low bytes. */
export function writeRecord(v: DataView, off: number, b: FlowBatch, i: number, start: number, end: number): void {
  for (const f of LAYOUT) {
    const x = value(b, i, f.column, start, end);
    if (f.length === 1) v.setUint8(off + f.offset, x & 0xff);
    else if (f.length === 2) v.setUint16(off + f.offset, x & 0xffff);
    else v.setUint32(off + f.offset, x >>> 0);
  }
}
