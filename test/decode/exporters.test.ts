// Real exporters' output (scripts/make-fixtures.sh exporters): softflowd, pmacctd's nfprobe and
// nfdump's nfreplay turned one known traffic capture (traffic.pcap) into NetFlow v5, v9 and IPFIX.
// Each capture is decoded and compared with tshark as a multiset of records (exporters order
// records by their own hash tables), and the byte and packet totals must equal the source
// traffic's: every exporter counts octets as the IP total length, which is what
// traffic.totals.json sums. The traffic has no TCP FIN/RST and every timeout is longer than the
// capture, so each 5-tuple is exactly one record: `flows` is the record count.
//
// Times: every exporter keeps the flows' durations, so the span from the earliest start to the
// latest end equals the traffic's (first to last packet). Only pmacct's v9/IPFIX export carries
// the packets' own times; softflowd and nfreplay (and pmacct's v5) derive sysUptime from the wall
// clock at export, so their absolute times are shifted by the replay date and only the span holds.
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { decodeCapture } from "../../src/capture/decode.ts";
import { compareRecord, loadTshark } from "../support/tshark.ts";

const DIR = join(import.meta.dir, "../fixtures/exporters");
interface Totals {
  flows: number;
  octets: number;
  packets: number;
  firstMs: number;
  lastMs: number;
}
const ABSOLUTE_TIMES = new Set(["pmacct-v9.pcap", "pmacct-v10.pcap"]);
const FIXTURES = readdirSync(DIR).filter((f) => /-v\d+\.pcap$/.test(f)).sort();

const sum = (xs: readonly unknown[]) => xs.reduce<number>((a, x) => a + (typeof x === "number" ? x : 0), 0);
const isFlow = (r: Record<string, unknown>) => r.options !== true;

describe("real exporters", () => {
  test("the fixture set is complete", () => {
    expect(FIXTURES).toEqual([
      "nfreplay-v5.pcap", "nfreplay-v9.pcap",
      "pmacct-v10.pcap", "pmacct-v5.pcap", "pmacct-v9.pcap",
      "softflowd-v10.pcap", "softflowd-v5.pcap", "softflowd-v9.pcap",
    ]);
  });

  for (const file of FIXTURES) {
    test(file, () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, file)));
      const refs = loadTshark(join(DIR, file.replace(/\.pcap$/, ".tshark.jsonl")), bytes);
      const { rows } = decodeCapture(bytes);
      const records = rows.map((r) => r.record as Record<string, unknown>);
      const totals = JSON.parse(readFileSync(join(DIR, file.replace(/\.pcap$/, ".totals.json")), "utf8")) as Totals;

      // tshark's own reading of the fixture agrees with the source traffic (guards the fixture).
      const refFlows = refs.filter((r) => r.fields.octetDeltaCount !== undefined);
      expect([refFlows.length, sum(refFlows.map((r) => r.fields.octetDeltaCount)), sum(refFlows.map((r) => r.fields.packetDeltaCount))]).toEqual([
        totals.flows, totals.octets, totals.packets,
      ]);

      // Ours, against the source traffic.
      const flows = records.filter(isFlow);
      expect([flows.length, sum(flows.map((r) => r.octetDeltaCount)), sum(flows.map((r) => r.packetDeltaCount))]).toEqual([
        totals.flows, totals.octets, totals.packets,
      ]);

      // Times (ms resolution in the exports, µs in the traffic).
      const starts = flows.map((r) => Number(r.flowStartMilliseconds));
      const ends = flows.map((r) => Number(r.flowEndMilliseconds));
      const first = Math.min(...starts);
      const last = Math.max(...ends);
      expect(Math.abs(last - first - (totals.lastMs - totals.firstMs))).toBeLessThan(2);
      if (ABSOLUTE_TIMES.has(file)) expect([first, last]).toEqual([Math.floor(totals.firstMs), Math.floor(totals.lastMs)]);

      // Ours, against tshark, as a multiset: each reference record takes one matching decoded record.
      expect(records.length).toBe(refs.length);
      const free = new Set(records.keys());
      const unmatched: string[] = [];
      for (const ref of refs) {
        const hit = [...free].find((i) => compareRecord(ref, records[i] ?? {}).length === 0);
        if (hit === undefined) unmatched.push(`frame ${ref.frame}: ${JSON.stringify(ref.fields)}`);
        else free.delete(hit);
      }
      expect(unmatched).toEqual([]);
    });
  }
});
