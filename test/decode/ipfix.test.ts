import { describe, expect, test } from "bun:test";
import { createDecoder } from "../../src/decode/index.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { EXPORTER, OPTS, batched, faultsExcept, ipfix, records, set } from "./wire.ts";

const H = { secs: 1700000000, domain: 5 };
const base = { exporter: "192.0.2.1", version: 10, domain: 5 };
// Template 256: src4, dst4, octetDeltaCount sent in 2 bytes (reduced size), flowStart/EndMilliseconds.
const T256 = "0100 0005  0008 0004  000c 0004  0001 0002  0098 0008  0099 0008";
const R256 = "0a000001 0a000002 0400 0000018bcfe56800 0000018bcfe56b20";
const want256 = {
  ...base, template: 256, sourceIPv4Address: "10.0.0.1", destinationIPv4Address: "10.0.0.2", octetDeltaCount: 1024,
  flowStartMilliseconds: 1700000000000, flowEndMilliseconds: 1700000000800,
};

describe("IPFIX", () => {
  test("template, reduced-size counter, absolute ms times; set padding is not a record", () => {
    const r = records([[ipfix(H, set(2, T256), set(256, `${R256} 00000000 00`)), 0]]);
    expect(r.out).toEqual([want256]);
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
  });

  test("variable-length fields with 1- and 3-byte lengths; enterprise and RFC 5103 reverse elements", () => {
    // 257: applicationName (varlen), PEN 9999 element 1 (varlen), PEN 29305 element 1 (reverse octets, 4).
    const t = "0101 0003  0060 ffff  8001 ffff 0000270f  8001 0004 00007279";
    const d = "03 616263  02 beef  00000010   ff 0001 41  ff 0000  00000020  00";
    const r = records([[ipfix(H, set(2, t), set(257, d)), 0]]);
    expect(r.out).toEqual([
      { ...base, template: 257, applicationName: "abc", ie9999_1: "beef", reverseOctetDeltaCount: 16 },
      { ...base, template: 257, applicationName: "A", ie9999_1: "", reverseOctetDeltaCount: 32 },
    ]);
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
  });

  test("a variable-length field running past its set is truncatedRecord; records before it stay", () => {
    const t = "0101 0001  0060 ffff";
    const r = records([[ipfix(H, set(2, t), set(257, "01 41  ff 0100 4142")), 0]]);
    expect(r.out).toEqual([{ ...base, template: 257, applicationName: "A" }]);
    expect(r.faults).toEqual(faultsExcept(r.faults, { truncatedRecord: 1 }));
    const b = batched([[ipfix(H, set(2, t), set(257, "01 41  ff 0100 4142")), 0]]);
    expect(b.b.length).toBe(1);
    expect(b.faults).toEqual(faultsExcept(b.faults, { truncatedRecord: 1 }));
  });

  test("template withdrawal: one template, all templates (id 2), all options templates (id 3)", () => {
    const data = ipfix(H, set(256, R256));
    const opt = set(3, "0190 0002 0001  0095 0004  0022 0004");
    const optData = ipfix(H, set(400, "00000005 00000010"));
    const one = records([[ipfix(H, set(2, T256)), 0], [ipfix(H, set(2, "0100 0000")), 0], [data, 0]], { pendingBytesPerExporter: 0 });
    expect(one.out).toEqual([]);
    expect(one.faults).toEqual(faultsExcept(one.faults, { unknownTemplate: 1 }));
    const all = records([[ipfix(H, set(2, T256), opt), 0], [ipfix(H, set(2, "0002 0000")), 0], [data, 0], [optData, 0]], { pendingBytesPerExporter: 0 });
    expect(all.out).toEqual([{ ...base, template: 400, options: true, observationDomainId: 5, samplingInterval: 16 }]);
    expect(all.faults).toEqual(faultsExcept(all.faults, { unknownTemplate: 1 }));
    const allOpt = records([[ipfix(H, set(2, T256), opt), 0], [ipfix(H, set(3, "0003 0000")), 0], [data, 0], [optData, 0]], { pendingBytesPerExporter: 0 });
    expect(allOpt.out).toEqual([want256]);
    expect(allOpt.decoder.stats.templates).toBe(1);
  });

  test("options: scope count checked; samplingPacketInterval/Space give the rate (interval+space)/interval", () => {
    const bad = records([[ipfix(H, set(3, "0190 0002 0000  0095 0004  0131 0004")), 0], [ipfix(H, set(3, "0190 0001 0002  0095 0004")), 0]]);
    expect(bad.faults).toEqual(faultsExcept(bad.faults, { badScopeCount: 2 }));
    const opt = set(3, "0190 0003 0001  0095 0004  0131 0004  0132 0004  0000");
    const p = ipfix(H, opt, set(400, "00000005 00000001 00000063"), set(2, T256), set(256, R256));
    expect([...batched([[p, 0]]).b.sampling.subarray(0, 1)]).toEqual([100]);
  });

  test("time encodings: seconds, NTP micro/nanoseconds, delta microseconds, sysUpTime with init time", () => {
    const cases: [string, string, number, number][] = [
      ["0096 0004 0097 0004", "6553f100 6553f101", 1700000000000, 1700000001000], // flowStart/EndSeconds
      ["009a 0008 009b 0008", "e8fe6f80 80000000 e8fe6f81 00000000", 1700000000500, 1700000001000], // micro (NTP)
      ["009c 0008 009d 0008", "e8fe6f80 80000000 e8fe6f80 40000000", 1700000000500, 1700000000250], // nano (NTP)
      ["009e 0004 009f 0004", "000f4240 00000000", 1699999999000, 1700000000000], // delta micro before export
      ["00a0 0008 0016 0004 0015 0004", "0000018bcfe56800 000003e8 000007d0", 1700000001000, 1700000002000], // init in record
      ["0098 0008 00a1 0004", "0000018bcfe56800 000001f4", 1700000000000, 1700000000500], // start + duration ms
      ["0099 0008 00a2 0004", "0000018bcfe56800 000003e8", 1699999999999, 1700000000000], // end - duration µs
    ];
    for (const [fields, data, start, end] of cases) {
      const n = fields.split(/\s+/).length / 2;
      const p = ipfix(H, set(2, `0120 000${n} ${fields}`), set(288, data));
      const r = records([[p, 0]]);
      expect([r.out[0]?.flowStartMilliseconds, r.out[0]?.flowEndMilliseconds]).toEqual([start, end]);
      const b = batched([[p, 0]]);
      expect([b.b.startMs[0], b.b.endMs[0]]).toEqual([start, end]);
    }
    // systemInitTimeMilliseconds from options data applies to later uptime records of the domain.
    const opt = set(3, "0190 0002 0001  0095 0004  00a0 0008");
    const p = ipfix(H, opt, set(400, "00000005 0000018bcfe56800"), set(2, "0121 0002 0016 0004 0015 0004"), set(289, "000003e8 000007d0"));
    const r = records([[p, 0]]);
    expect(r.out[1]).toEqual({
      ...base, template: 289, flowStartSysUpTime: 1000, flowEndSysUpTime: 2000,
      flowStartMilliseconds: 1700000001000, flowEndMilliseconds: 1700000002000,
    });
  });

  test("floats: a float64 element sent in 4 bytes is a float32; booleans; MAC addresses", () => {
    // absoluteError (320, float64) in 4 and in 8 bytes; dataRecordsReliability (276, boolean); sourceMacAddress (56).
    const p = ipfix(H, set(2, "0122 0004 0140 0004 0140 0008 0114 0001 0038 0006"), set(290, "3fc00000 c002000000000000 02 0a0b0c0d0e0f"));
    expect(records([[p, 0]]).out).toEqual([
      { ...base, template: 290, absoluteError: [1.5, -2.25], dataRecordsReliability: false, sourceMacAddress: "0a:0b:0c:0d:0e:0f" },
    ]);
  });

  test("message length: beyond the datagram or under 16 is badMessageLength", () => {
    const ok = ipfix(H, set(2, T256), set(256, R256));
    const long = ipfix({ ...H, len: ok.length + 100 }, set(2, T256), set(256, R256));
    const short = ipfix({ ...H, len: 8 }, set(2, T256));
    const r = records([[long, 0], [short, 0]]);
    expect(r.out).toEqual([want256]);
    expect(r.faults).toEqual(faultsExcept(r.faults, { badMessageLength: 2 }));
  });

  test("IPv6 addresses and an IPv6 exporter fill the batch's address words", () => {
    const t = "0123 0002 001b 0010 001c 0010";
    const d = "20010db8000000000000000000000001 fe800000000000000000000000000002";
    const dec = createDecoder(OPTS);
    const b = createBatch([], 8);
    dec.decodeToBatch(ipfix(H, set(2, t), set(291, d)), { addr: "2001:db8::53", id: 3 }, 42, b, () => {});
    expect(b.length).toBe(1);
    expect([b.family[0], b.exporterFamily[0], b.exporterId[0], b.arrivalMs[0], b.version[0], b.domain[0]]).toEqual([6, 6, 3, 42, 10, 5]);
    expect([...b.exporterAddr.subarray(0, 4)]).toEqual([0x20010db8, 0, 0, 0x53]);
    expect([...b.srcAddr.subarray(0, 4)]).toEqual([0x20010db8, 0, 0, 1]);
    expect([...b.dstAddr.subarray(0, 4)]).toEqual([0xfe800000, 0, 0, 2]);
    const out: unknown[] = [];
    dec.decodeToRecords(ipfix(H, set(291, d)), { addr: "2001:db8::53", id: 3 }, 43, (r) => out.push(r));
    expect(out).toEqual([{ exporter: "2001:db8::53", version: 10, domain: 5, template: 291, sourceIPv6Address: "2001:db8::1", destinationIPv6Address: "fe80::2" }]);
    expect(EXPORTER.addr).toBe("192.0.2.1");
  });

  test("a field appearing twice is printed as an array in template order; paddingOctets is not printed", () => {
    const p = ipfix(H, set(2, "0124 0004 0007 0002 00d2 0002 0007 0002 00d2 0001"), set(292, "0050 ffff 01bb ff"));
    expect(records([[p, 0]]).out).toEqual([{ ...base, template: 292, sourceTransportPort: [80, 443] }]);
  });
});
