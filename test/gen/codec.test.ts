// Exact bytes of one-record datagrams in each format, written out by hand from the RFCs.
import { describe, expect, test } from "bun:test";
import { createBatch } from "../../src/flow/batch.ts";
import type { Header } from "../../src/gen/codec.ts";
import { ipfix } from "../../src/gen/ipfix.ts";
import { RECORD_LENGTH } from "../../src/gen/layout.ts";
import { v5 } from "../../src/gen/v5.ts";
import { v9 } from "../../src/gen/v9.ts";

const EXPORT_MS = 1_700_000_000_250; // 0x6553f100 seconds + 250 ms
const H: Header = { exportMs: EXPORT_MS, uptimeMs: 3_600_000, sequence: 5, domain: 7 };

function oneRecord(copies = 1) {
  const b = createBatch([], copies);
  for (let i = 0; i < copies; i++) {
    b.srcAddr[i * 4] = 0x0a000001 + i; // 10.0.0.1
    b.dstAddr[i * 4] = 0xc000020a; // 192.0.2.10
    b.nextHop[i * 4] = 0xc6336401; // 198.51.100.1
    b.inIf[i] = 3;
    b.outIf[i] = 12;
    b.packets[i] = 1;
    b.octets[i] = 1000;
    b.startMs[i] = EXPORT_MS - 1500;
    b.endMs[i] = EXPORT_MS - 500;
    b.srcPort[i] = 40000;
    b.dstPort[i] = 443;
    b.tcpFlags[i] = 0x1b;
    b.proto[i] = 6;
    b.srcAs[i] = 64496;
    b.dstAs[i] = 64511;
    b.srcMask[i] = 8;
    b.dstMask[i] = 24;
  }
  b.length = copies;
  return b;
}

const hex = (s: string) => s.replace(/\s+/g, "");
const toHex = (u: Uint8Array) => Buffer.from(u).toString("hex");

// src, dst, next hop, in/out if, packets, octets
const COMMON = "0a000001 c000020a c6336401 0003 000c 00000001 000003e8";
// FIRST/LAST_SWITCHED: uptime 3600000 - 1500 and - 500 ms
const UPTIMES = "0036e8a4 0036ec8c";
// ports 40000 -> 443, flags, proto, tos, AS 64496 -> 64511, masks /8 /24
const TAIL = "9c40 01bb 1b 06 00 fbf0 fbff 08 18";
const V9_TEMPLATE =
  "0000 0050 0100 0012 0008 0004 000c 0004 000f 0004 000a 0002 000e 0002 0002 0004 0001 0004 0016 0004 0015 0004 0007 0002 000b 0002 0006 0001 0004 0001 0005 0001 0010 0002 0011 0002 0009 0001 000d 0001";

describe("layout", () => {
  test("45-byte records: 29 make a 1332-byte v9 datagram, 1412 with the template", () => {
    expect(RECORD_LENGTH).toBe(45);
    expect(v9.size(29)).toBe(1332);
    expect(v9.size(29) + v9.template.length).toBe(1412);
    expect(ipfix.size(29)).toBe(16 + 4 + 29 * 45);
    expect([v5.maxRecords, v9.maxRecords, ipfix.maxRecords]).toEqual([30, 30, 30]);
  });
});

describe("v5", () => {
  test("one record", () => {
    const out = new Uint8Array(v5.size(1));
    expect(v5.encode(oneRecord(), 0, 1, out, H)).toBe(72);
    // version, count, uptime, secs, nsecs (250 ms), flow sequence, engine type/id, sampling
    const header = "0005 0001 0036ee80 6553f100 0ee6b280 00000005 00 07 0000";
    const record = `0a000001 c000020a c6336401 0003 000c 00000001 000003e8 ${UPTIMES} 9c40 01bb 00 1b 06 00 fbf0 fbff 08 18 0000`;
    expect(toHex(out)).toBe(hex(header + record));
  });
});

describe("v9", () => {
  const data = `0100 0034 ${COMMON} ${UPTIMES} ${TAIL} 000000`; // 4 + 45, padded to 52
  test("one record, data only", () => {
    const out = new Uint8Array(v9.size(1));
    expect(v9.encode(oneRecord(), 0, 1, out, H)).toBe(72);
    expect(toHex(out)).toBe(hex(`0009 0001 0036ee80 6553f100 00000005 00000007 ${data}`));
  });
  test("compose: cut to one record, template set in front, count includes the template", () => {
    const src = new Uint8Array(v9.size(2));
    v9.encode(oneRecord(2), 0, 2, src, H);
    const out = new Uint8Array(1500);
    const len = v9.compose(src, 1, true, out);
    expect(toHex(out.subarray(0, len))).toBe(hex(`0009 0002 0036ee80 6553f100 00000005 00000007 ${V9_TEMPLATE} ${data}`));
    expect(v9.records(new DataView(out.buffer), len)).toBe(1);
  });
  test("stamp patches clock, sequence and source id only", () => {
    const out = new Uint8Array(v9.size(1));
    v9.encode(oneRecord(), 0, 1, out, H);
    v9.stamp(new DataView(out.buffer), { exportMs: 1_700_000_001_999, uptimeMs: 3_600_000, sequence: 2 ** 32 + 3, domain: 9 });
    expect(toHex(out)).toBe(hex(`0009 0001 0036ee80 6553f101 00000003 00000009 ${data}`));
  });
});

describe("IPFIX", () => {
  // flowStart/EndDeltaMicroseconds: 1.5 s and 0.5 s before export
  const record = `${COMMON} 0016e360 0007a120 ${TAIL}`;
  test("one record, data only; the length covers the message", () => {
    const out = new Uint8Array(ipfix.size(1));
    expect(ipfix.encode(oneRecord(), 0, 1, out, H)).toBe(65);
    expect(toHex(out)).toBe(hex(`000a 0041 6553f100 00000005 00000007 0100 0031 ${record}`));
  });
  test("compose with the set 2 template", () => {
    const src = new Uint8Array(ipfix.size(1));
    ipfix.encode(oneRecord(), 0, 1, src, H);
    const out = new Uint8Array(1500);
    const len = ipfix.compose(src, 1, true, out);
    const template = V9_TEMPLATE.replace(/^0000/, "0002").replace("0016 0004 0015 0004", "009e 0004 009f 0004");
    expect(toHex(out.subarray(0, len))).toBe(hex(`000a 0091 6553f100 00000005 00000007 ${template} 0100 0031 ${record}`));
  });
});
