import { describe, expect, test } from "bun:test";
import { createDecoder } from "../../src/decode/index.ts";
import { type FlowBatch, createBatch } from "../../src/flow/batch.ts";
import { EXPORTER, OPTS, batched, ipfix, set, v9 } from "./wire.ts";

const H = { uptime: 4096, secs: 0x65000000 };

describe("batch decoding", () => {
  test("onFull is called at capacity and the batch is reused after it resets length", () => {
    const d = createDecoder(OPTS);
    const b = createBatch([], 3);
    const seen: number[][] = [];
    const onFull = (full: FlowBatch) => {
      seen.push([...full.proto.subarray(0, full.length)]);
      full.length = 0;
    };
    const p = v9(H, set(0, "0100 0001 0004 0001"), set(256, "01 02 03 04 05 06 07 00"));
    d.decodeToBatch(p, EXPORTER, 0, b, onFull);
    expect(seen).toEqual([[1, 2, 3], [4, 5, 6]]);
    // 1-byte records: the trailing 00 is a record (no padding can be shorter than one record).
    expect([b.length, b.proto[0], b.proto[1], d.stats.records]).toEqual([2, 7, 0, 8]);
  });

  test("extra columns by (pen, element): uint, address, mac, string; absent is NaN / family 0", () => {
    const extras = [
      { pen: 0, element: 234, type: "uint" as const },
      { pen: 0, element: 225, type: "address" as const },
      { pen: 0, element: 56, type: "mac" as const },
      { pen: 9999, element: 1, type: "string" as const },
      { pen: 0, element: 235, type: "uint" as const },
    ];
    const t = "0100 0004  00ea 0004  00e1 0004  0038 0006  8001 ffff 0000270f";
    const d = "00000005 c0000201 0a0b0c0d0e0f 03 766f6e   00000006 c0000202 000000000001 03 766f6e";
    const { b } = batched([[ipfix({ secs: 1 }, set(2, t), set(256, d)), 0]], {}, extras);
    expect(b.length).toBe(2);
    const [vrf, nat, mac, name, egress] = b.extra;
    expect([...vrf!.num.subarray(0, 2)]).toEqual([5, 6]);
    expect([...nat!.family!.subarray(0, 2), ...nat!.addr!.subarray(0, 8)]).toEqual([4, 4, 0xc0000201, 0, 0, 0, 0xc0000202, 0, 0, 0]);
    expect([...mac!.num.subarray(0, 2)]).toEqual([0x0a0b0c0d0e0f, 1]);
    expect([...name!.num.subarray(0, 2)]).toEqual([0, 0]);
    expect(b.strings).toEqual(["von"]);
    expect([...egress!.num.subarray(0, 2)]).toEqual([NaN, NaN]);
  });

  test("a template with IPv4 and IPv6 addresses uses the family that is set (Procera)", () => {
    const t = "0100 0004  0008 0004  000c 0004  001b 0010  001c 0010";
    const v4 = "0a000001 0a000002 00000000000000000000000000000000 00000000000000000000000000000000";
    const v6 = "00000000 00000000 20010db8000000000000000000000001 20010db8000000000000000000000002";
    const { b } = batched([[ipfix({ secs: 1 }, set(2, t), set(256, v4 + v6)), 0]]);
    expect([...b.family.subarray(0, 2)]).toEqual([4, 6]);
    expect([...b.srcAddr.subarray(0, 8)]).toEqual([0x0a000001, 0, 0, 0, 0x20010db8, 0, 0, 1]);
    expect([...b.dstAddr.subarray(0, 8)]).toEqual([0x0a000002, 0, 0, 0, 0x20010db8, 0, 0, 2]);
  });

  test("columns a template lacks are written as 0 / NaN, not left from the previous record", () => {
    const d = createDecoder(OPTS);
    const b = createBatch([], 4);
    const full = v9(H, set(0, "0100 0003 0007 0002 0001 0004 0016 0004"), set(256, "0050 00000064 00000800"));
    const bare = v9(H, set(0, "0101 0001 0004 0001"), set(257, "11 000000"));
    d.decodeToBatch(full, EXPORTER, 0, b, () => {});
    b.length = 0;
    d.decodeToBatch(bare, EXPORTER, 0, b, () => {});
    expect([b.length, b.proto[0], b.srcPort[0], b.octets[0], b.startMs[0], b.endMs[0], b.family[0], b.sampling[0]]).toEqual([4, 17, 0, 0, NaN, NaN, 0, 1]);
  });
});
