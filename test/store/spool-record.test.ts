import { describe, expect, test } from "bun:test";
import type { WindowExport } from "../../src/store/sink.ts";
import { sourced } from "./contract.ts";
import { interfacesExport } from "../../src/store/interfaces.ts";
import { HEADER_BYTES, decodeRecord, encodeRecord, encodeRecordSliced, readRecordInfo, scanRecords } from "../../src/store/spool-record.ts";

const exp: WindowExport = { mo: "all", window: "proto", table: "all_proto", time: 1_700_000_000, keys: [{ name: "proto", type: "uint" }], values: ["flows"], rows: [[6, 1], [null, 2]] };
const SEQ = 1_764_000_000_000_001;

describe("spool records", () => {
  test("encode a fixed header and the JSON payload, and decode back", () => {
    const rec = encodeRecord(SEQ, 1_764_000_000_123, exp);
    const json = JSON.stringify(exp);
    expect(rec.length).toBe(HEADER_BYTES + json.length);
    // length 0x00..: little-endian payload length first
    expect(Array.from(rec.subarray(0, 4))).toEqual([json.length & 255, json.length >> 8, 0, 0]);
    expect(new TextDecoder().decode(rec.subarray(HEADER_BYTES))).toBe(json);
    expect(readRecordInfo(rec, 0)).toEqual({ seq: SEQ, at: 1_764_000_000_123, rows: 2, offset: 0, bytes: rec.length });
    expect(decodeRecord(rec)).toEqual(exp);
  });

  test("an export of interface rates keeps its rates flag (double columns) through the spool; a NaN rate comes back null", () => {
    const rate = { exporter: "192.0.2.1", ifIndex: 3, speed: 1e9, inOctets: 0.5, outOctets: 1, inPackets: 2, outPackets: 3, inErrors: 0, outErrors: 0, inDiscards: 0, outDiscards: NaN };
    const ifs = interfacesExport(1_700_000_000, [rate], () => "xe-0/0/3");
    expect(decodeRecord(encodeRecord(SEQ, 7, ifs))).toEqual({ ...ifs, rows: [["192.0.2.1", 3, "xe-0/0/3", 1e9, 0.5, 1, 2, 3, 0, 0, 0, null]] });
  });

  test("sliced encoding pauses between slices and decodes to the same export, header included", async () => {
    const big: WindowExport = { ...exp, rows: [[6, 1], [17, 2], [1, 3], ["x\"y,]", 4], [null, 5]] };
    let pauses = 0;
    const pause = async () => {
      pauses++;
    };
    const rec = await encodeRecordSliced(SEQ, 7, big, pause, 2);
    expect(pauses).toBe(2); // slices of 2, 2 and 1 rows
    expect(decodeRecord(rec)).toEqual(big);
    expect(readRecordInfo(rec, 0)).toEqual({ seq: SEQ, at: 7, rows: 5, offset: 0, bytes: rec.length });
    expect(scanRecords(rec).validBytes).toBe(rec.length); // the CRC covers the joined payload
    // Small exports: one piece, the same bytes as encodeRecord.
    expect(await encodeRecordSliced(SEQ, 7, exp, pause, 2)).toEqual(encodeRecord(SEQ, 7, exp));
    expect(pauses).toBe(2);
  });

  test("an export whose rows come from a source encodes to the same bytes, a slice asked per pause", async () => {
    const big: WindowExport = { ...exp, rows: [[6, 1], [17, 2], [1, 3], [2, 4], [null, 5]] };
    const asked: [number, number][] = [];
    expect(await encodeRecordSliced(SEQ, 7, sourced(big, asked), async () => {}, 2)).toEqual(await encodeRecordSliced(SEQ, 7, big, async () => {}, 2));
    expect(asked).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
    expect(encodeRecord(SEQ, 7, sourced(exp))).toEqual(encodeRecord(SEQ, 7, exp));
  });

  test("scan stops at a torn or flipped record and reports the intact prefix", () => {
    const a = encodeRecord(SEQ, 1, exp);
    const b = encodeRecord(SEQ + 1, 2, { ...exp, rows: [] });
    const whole = new Uint8Array([...a, ...b]);
    expect(scanRecords(whole).records.map((r) => [r.seq, r.offset, r.rows])).toEqual([
      [SEQ, 0, 2],
      [SEQ + 1, a.length, 0],
    ]);
    expect(scanRecords(whole.subarray(0, whole.length - 1))).toMatchObject({ validBytes: a.length });
    const flipped = whole.slice();
    flipped[a.length + HEADER_BYTES + 3]! ^= 1;
    expect(scanRecords(flipped).validBytes).toBe(a.length);
    expect(scanRecords(new Uint8Array(0))).toEqual({ records: [], validBytes: 0 });
    // A header claiming more payload than the file holds.
    expect(scanRecords(Uint8Array.from([0xff, 0xff, 0xff, 0x3f, ...new Array(40).fill(0)])).validBytes).toBe(0);
  });

  test("decode refuses a record that fails its checksum", () => {
    const rec = encodeRecord(SEQ, 1, exp);
    rec[10]! ^= 0x80;
    expect(() => decodeRecord(rec)).toThrow("checksum");
  });
});
