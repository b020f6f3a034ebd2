import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CORPUS } from "../support/corpus.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { readCapture } from "../../src/capture/pcap.ts";
import { OPTS, faultsExcept, hex, records } from "./wire.ts";

// Header: version 5, count, sysUptime 10000 ms, unix_secs 0x65000000, unix_nsecs 250 ms,
// sequence, engine type/id, sampling: mode 1 (top 2 bits), interval 64.
const header = (count: string) => `0005 ${count} 00002710 65000000 0ee6b280 00000001 00 00 4040`;
const REC = `0a000001 0a000002 0a0000fe 0003 0004 0000000a 00000578 00002328 00002710
             0050 01bb 00 1b 06 00 fde8 0001 18 10 0000`;
const EXPORT_MS = 0x65000000 * 1000 + 250;
const want = {
  exporter: "192.0.2.1", version: 5, domain: 0, template: 0,
  sourceIPv4Address: "10.0.0.1", destinationIPv4Address: "10.0.0.2", ipNextHopIPv4Address: "10.0.0.254",
  ingressInterface: 3, egressInterface: 4, packetDeltaCount: 10, octetDeltaCount: 1400,
  flowStartSysUpTime: 9000, flowEndSysUpTime: 10000, sourceTransportPort: 80, destinationTransportPort: 443,
  tcpControlBits: 27, protocolIdentifier: 6, ipClassOfService: 0, bgpSourceAsNumber: 65000, bgpDestinationAsNumber: 1,
  sourceIPv4PrefixLength: 24, destinationIPv4PrefixLength: 16,
  flowStartMilliseconds: EXPORT_MS - 1000, flowEndMilliseconds: EXPORT_MS,
};

describe("NetFlow v5", () => {
  test("records with times from sysUptime and unix_secs/nsecs", () => {
    const r = records([[hex(header("0001") + REC), 0]]);
    expect(r.out).toEqual([want]);
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
  });

  test("every batch column of a record, sampling from the header interval", () => {
    const d = createDecoder(OPTS);
    const b = createBatch([], 4);
    d.decodeToBatch(hex(header("0001") + REC), { addr: "192.0.2.9", id: 4 }, 123.5, b, () => {});
    const i = 0;
    const row = {
      exporterFamily: b.exporterFamily[i], exporterAddr: [...b.exporterAddr.subarray(0, 4)], exporterId: b.exporterId[i],
      version: b.version[i], domain: b.domain[i], arrivalMs: b.arrivalMs[i], family: b.family[i],
      srcAddr: [...b.srcAddr.subarray(0, 4)], dstAddr: [...b.dstAddr.subarray(0, 4)], nextHop: [...b.nextHop.subarray(0, 4)],
      nextHopFamily: b.nextHopFamily[i], srcMask: b.srcMask[i], dstMask: b.dstMask[i], srcPort: b.srcPort[i], dstPort: b.dstPort[i],
      proto: b.proto[i], tos: b.tos[i], tcpFlags: b.tcpFlags[i], inIf: b.inIf[i], outIf: b.outIf[i], srcAs: b.srcAs[i],
      dstAs: b.dstAs[i], vlan: b.vlan[i], sampler: b.sampler[i], octets: b.octets[i], packets: b.packets[i],
      sampling: b.sampling[i], startMs: b.startMs[i], endMs: b.endMs[i],
    };
    expect(b.length).toBe(1);
    expect(row).toEqual({
      exporterFamily: 4, exporterAddr: [0xc0000209, 0, 0, 0], exporterId: 4, version: 5, domain: 0, arrivalMs: 123.5, family: 4,
      srcAddr: [0x0a000001, 0, 0, 0], dstAddr: [0x0a000002, 0, 0, 0], nextHop: [0x0a0000fe, 0, 0, 0], nextHopFamily: 4,
      srcMask: 24, dstMask: 16, srcPort: 80, dstPort: 443, proto: 6, tos: 0, tcpFlags: 27, inIf: 3, outIf: 4, srcAs: 65000,
      dstAs: 1, vlan: 0, sampler: 0, octets: 1400, packets: 10, sampling: 64, startMs: EXPORT_MS - 1000, endMs: EXPORT_MS,
    });
  });

  test("the header count is not trusted beyond the bytes present; a partial record is not decoded", () => {
    const r = records([[hex(header("00a3") + REC + REC + "0a00"), 0], [hex(header("0001")).subarray(0, 20), 0]]);
    expect(r.out).toEqual([want, want]);
    expect(r.faults).toEqual(faultsExcept(r.faults, { countMismatch: 1, truncatedHeader: 1 }));
  });

  test("a real capture: Juniper MX80, sampling interval 1000 in the header, 29 records", () => {
    const cap = readCapture(new Uint8Array(readFileSync(join(CORPUS, "v5-juniper-mx80.pcap"))));
    const d = createDecoder(OPTS);
    const b = createBatch([], 64);
    for (const g of cap.datagrams) d.decodeToBatch(g.payload, { addr: g.src, id: 0 }, g.tsMs, b, () => {});
    expect(b.length).toBe(29);
    expect(new Set(b.sampling.subarray(0, 29))).toEqual(new Set([1000]));
    expect(d.faults).toEqual(faultsExcept(d.faults, {}));
  });
});
