import { describe, expect, test } from "bun:test";
import { batched, faultsExcept, records, set, v9 } from "./wire.ts";

// Template 256: src4, dst4, proto(1), packets(4), first switched(4), last switched(4) = 21 bytes.
const TEMPLATE_256 = "0100 0006  0008 0004  000c 0004  0004 0001  0002 0004  0016 0004  0015 0004";
const REC_1 = "0a000001 0a000002 06 0000000a 00000800 00000c00";
const REC_2 = "c0a80001 c0a80002 11 00000001 00000f00 00001000";
const H = { uptime: 4096, secs: 0x65000000 };
const EXPORT_MS = 0x65000000 * 1000;

const base = { exporter: "192.0.2.1", version: 9, domain: 0, template: 256 };
const want1 = {
  ...base, sourceIPv4Address: "10.0.0.1", destinationIPv4Address: "10.0.0.2", protocolIdentifier: 6,
  packetDeltaCount: 10, flowStartSysUpTime: 2048, flowEndSysUpTime: 3072,
  flowStartMilliseconds: EXPORT_MS - 2048, flowEndMilliseconds: EXPORT_MS - 1024,
};
const want2 = {
  ...base, sourceIPv4Address: "192.168.0.1", destinationIPv4Address: "192.168.0.2", protocolIdentifier: 17,
  packetDeltaCount: 1, flowStartSysUpTime: 3840, flowEndSysUpTime: 4096,
  flowStartMilliseconds: EXPORT_MS - 256, flowEndMilliseconds: EXPORT_MS,
};

describe("NetFlow v9", () => {
  test("template and data in one datagram; padding after the last record is not a record", () => {
    const p = v9(H, set(0, TEMPLATE_256), set(256, `${REC_1} ${REC_2} 0000 00`));
    const { out, faults } = records([[p, 0]]);
    expect(out).toEqual([want1, want2]);
    expect(faults).toEqual(faultsExcept(faults, {}));
  });

  test("the header count is not used for framing; several templates per flowset are all learned", () => {
    const t257 = "0101 0001  0004 0001";
    const p = v9({ ...H, count: 1 }, set(0, `${TEMPLATE_256} ${t257}`), set(257, "06 11 00 00"), set(256, REC_1));
    const { out, faults } = records([[p, 0]]);
    const t = { ...base, template: 257 };
    expect(out).toEqual([{ ...t, protocolIdentifier: 6 }, { ...t, protocolIdentifier: 17 }, { ...t, protocolIdentifier: 0 }, { ...t, protocolIdentifier: 0 }, want1]);
    expect(faults).toEqual(faultsExcept(faults, {}));
  });

  test("templates are keyed by source id", () => {
    const tpl = v9({ ...H, domain: 147 }, set(0, TEMPLATE_256));
    const data0 = v9(H, set(256, REC_1));
    const data147 = v9({ ...H, domain: 147 }, set(256, REC_1));
    const { out, faults } = records([[tpl, 0], [data0, 0], [data147, 0]], { pendingBytesPerExporter: 0 });
    expect(out).toEqual([{ ...want1, domain: 147 }]);
    expect(faults).toEqual(faultsExcept(faults, { unknownTemplate: 1 }));
  });

  test("zero fill after the last flowset (PAN-OS, ACI) is no fault; other junk is badSetLength", () => {
    const zero = v9(H, set(0, TEMPLATE_256), set(256, REC_1), new Uint8Array(40));
    expect(records([[zero, 0]]).faults.badSetLength).toBe(0);
    const junk = v9(H, set(0, TEMPLATE_256), set(256, REC_1), Uint8Array.of(1, 0, 0, 2));
    const r = records([[junk, 0]]);
    expect(r.out).toEqual([want1]);
    expect(r.faults).toEqual(faultsExcept(r.faults, { badSetLength: 1 }));
  });

  test("a flowset longer than the datagram is skipped, the ones before it kept", () => {
    const p = v9(H, set(0, TEMPLATE_256), set(256, REC_1), set(256, REC_2, 200));
    const r = records([[p, 0]]);
    expect(r.out).toEqual([want1]);
    expect(r.faults).toEqual(faultsExcept(r.faults, { badSetLength: 1 }));
  });

  test("malformed templates are counted and their flowset skipped, the datagram kept", () => {
    const cases: [string, Record<string, number>][] = [
      ["0100 0000", { badFieldCount: 1 }], // zero fields
      ["0100 0040 0008 0004", { templateTooLong: 1 }], // 64 fields announced, 1 present
      ["0005 0001 0008 0004", { badTemplateId: 1 }], // template id below 256
      ["0100 0002 0000 0000 0000 0000", { zeroSizeRecord: 1 }], // records of no bytes
    ];
    for (const [body, want] of cases) {
      const p = v9(H, set(0, body), set(7, ""), set(0, "0101 0001 0004 0001"), set(257, "06 000000"));
      const r = records([[p, 0]], { pendingBytesPerExporter: 0 });
      expect(r.out).toEqual([{ ...base, template: 257, protocolIdentifier: 6 }, { ...base, template: 257, protocolIdentifier: 0 }, { ...base, template: 257, protocolIdentifier: 0 }, { ...base, template: 257, protocolIdentifier: 0 }]);
      expect(r.faults).toEqual(faultsExcept(r.faults, { ...want, reservedSetId: 1 }));
    }
  });

  test("truncated header and unknown version", () => {
    const r = records([[v9(H).subarray(0, 12), 0], [Uint8Array.of(0, 7, 0, 0), 0], [Uint8Array.of(9), 0]]);
    expect(r.out).toEqual([]);
    expect(r.faults).toEqual(faultsExcept(r.faults, { truncatedHeader: 2, unknownVersion: 1 }));
  });

  test("options template with scope; options data sets the sampler's rate for records naming it", () => {
    // Options template 300: scope System (len 4); samplerId(1), samplerMode(1), samplerRandomInterval(4).
    const opt = "012c 0004 000c  0001 0004  0030 0001  0031 0001  0032 0004  0000";
    // Options data: sampler 3 -> 1 in 100; then one with no sampler field sets the default elsewhere.
    const data = "00000000 03 02 00000064  0000";
    // Flow template 258: src4, packets, samplerId.
    const flow = "0102 0003  0008 0004  0002 0004  0030 0001";
    const p = v9(H, set(1, opt), set(300, data), set(0, flow), set(258, "0a000001 00000005 03  0a000002 00000006 09  0000"));
    const r = records([[p, 0]]);
    expect(r.out).toEqual([
      { ...base, template: 300, options: true, scopeSystem: "00000000", samplerId: 3, samplerMode: 2, samplerRandomInterval: 100 },
      { ...base, template: 258, sourceIPv4Address: "10.0.0.1", packetDeltaCount: 5, samplerId: 3 },
      { ...base, template: 258, sourceIPv4Address: "10.0.0.2", packetDeltaCount: 6, samplerId: 9 },
    ]);
    const b = batched([[p, 0]]);
    expect(b.b.length).toBe(2);
    expect([...b.b.sampling.subarray(0, 2)]).toEqual([100, 1]);
    expect([...b.b.sampler.subarray(0, 2)]).toEqual([3, 9]);
    expect(b.faults).toEqual(faultsExcept(b.faults, {}));
  });

  // A configured [[exporter]] sampling_rate is not the decoder's: test/collector/sampling.test.ts.
  test("options data without a sampler id sets the domain default", () => {
    const opt = "012c 0004 0008  0001 0004  0022 0004  0023 0001"; // scope System; samplingInterval; algorithm
    const p = v9(H, set(1, opt), set(300, "00000000 000003e8 02 000000"), set(0, TEMPLATE_256), set(256, REC_1));
    const b = batched([[p, 0]]);
    expect([...b.b.sampling.subarray(0, b.b.length)]).toEqual([1000]);
    expect(b.faults).toEqual(faultsExcept(b.faults, {}));
  });

  test("an options template flowset padded with non-zero bytes (WLC)", () => {
    const opt = "012c 0004 0004  0001 0004  0022 0004  ffff";
    const r = records([[v9(H, set(1, opt), set(300, "00000001 00000010")), 0]]);
    expect(r.out).toEqual([{ ...base, template: 300, options: true, scopeSystem: "00000001", samplingInterval: 16 }]);
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
  });

  test("8-byte first/last switched are absolute epoch ms; uptime wrap keeps times near the export", () => {
    const abs = v9(H, set(0, "0103 0002 0016 0008 0015 0008"), set(259, "0000018b cfe56800 0000018b cfe56b20"));
    expect(records([[abs, 0]]).out).toEqual([{
      ...base, template: 259, flowStartSysUpTime: 1700000000000, flowEndSysUpTime: 1700000000800,
      flowStartMilliseconds: 1700000000000, flowEndMilliseconds: 1700000000800,
    }]);
    // sysUptime wrapped to 1000 ms; the flow started 2000 ms before the wrap (2^32 - 1000).
    const wrap = v9({ uptime: 1000, secs: 0x65000000 }, set(0, "0104 0002 0016 0004 0015 0004"), set(260, "fffffc18 000003e8"));
    expect(records([[wrap, 0]]).out).toEqual([{
      ...base, template: 260, flowStartSysUpTime: 4294966296, flowEndSysUpTime: 1000,
      flowStartMilliseconds: EXPORT_MS - 2000, flowEndMilliseconds: EXPORT_MS,
    }]);
  });

  test("reduced-size counters and a variable-length string field (H3C)", () => {
    const p = v9(H, set(0, "0105 0003 0001 0003 0002 0001 00ec ffff"), set(261, "000102 07 03616263  010203 01 ff000161 000000"));
    const r = records([[p, 0]]);
    expect(r.out).toEqual([
      { ...base, template: 261, octetDeltaCount: 258, packetDeltaCount: 7, VRFname: "abc" },
      { ...base, template: 261, octetDeltaCount: 66051, packetDeltaCount: 1, VRFname: "a" },
    ]);
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
  });
});
