// Our decoder against an independent one on the vendor corpus: every capture is decoded with
// decodeCapture and compared with tshark (X.tshark.jsonl), record by record in capture order,
// matched by frame and position within the frame, on the fields test/support/tshark.ts maps.
// How many records each datagram holds comes from the corpus manifest's length-only walk of the
// sets (it agrees with tshark except where tshark gives up, see CASES below).
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { decodeCapture } from "../../src/capture/decode.ts";
import { type Reference, TSHARK_FIELDS, compareRecord, loadTshark, normalize } from "../support/tshark.ts";
import { CORPUS } from "../support/corpus.ts";


interface ManifestCase {
  file: string;
  walker_records_per_datagram: number[];
  tshark_records_per_datagram: number[];
  spec_event_count: number | null;
}

/**
 * Where tshark is demonstrably wrong or the input is broken on purpose (corpus README, "Where
 * tshark falls short"). `tshark: "prefix"` = compare only the records tshark did decode.
 */
const CASES: Record<string, { why: string; tshark?: "prefix"; faults?: true; specFirstOnly?: true }> = {
  "v5-softflowd.pcap": { why: "netcat capture of 12 messages: the spec's event count is for the first datagram only", specFirstOnly: true },
  "ipfix-softflowd.pcap": { why: "netcat capture of 3 messages: the spec's event count is for the first datagram only", specFirstOnly: true },
  "v9-h3c.pcap": {
    why: "tshark aborts the datagram on IE 43 sent with length 2 (1 of 16 records, cut short); the spec and the set walk count 16",
    tshark: "prefix",
  },
  "v9-h3c-netstream-varstring.pcap": {
    why: "same IE 43 length 2: tshark's one record is cut short after the fault; fields before it are compared",
    tshark: "prefix",
  },
  "malformed/v9-invalid-01.pcap": {
    why: "header count 2 but 6 flowsets: tshark stops after the two templates and decodes none of the 3 records",
    tshark: "prefix",
  },
  "malformed/v5-invalid-01.pcap": { why: "v5 header count 55582, payload holds 30 records", tshark: "prefix", faults: true },
  "malformed/v5-invalid-02.pcap": { why: "v5 header count 163, payload holds 30 records", tshark: "prefix", faults: true },
  "malformed/ipfix-netscaler-varlen-missing-templates.pcap": { why: "data sets whose templates never came", faults: true },
};

const manifest = JSON.parse(readFileSync(join(CORPUS, "manifest.json"), "utf8")) as { cases: ManifestCase[] };

function captures(): string[] {
  return ["", "extra/", "malformed/"].flatMap((d) => readdirSync(join(CORPUS, d)).filter((f) => f.endsWith(".pcap")).map((f) => d + f));
}

/** Total of a faults value, whatever shape the decoder reports them in (number or counters). */
export function faultTotal(f: unknown): number {
  if (typeof f === "number") return f;
  if (f && typeof f === "object") return Object.values(f).reduce<number>((a, v) => a + faultTotal(v), 0);
  return 0;
}

function byFrame<T>(items: readonly T[], frameOf: (t: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const it of items) {
    const f = frameOf(it);
    m.set(f, [...(m.get(f) ?? []), it]);
  }
  return m;
}

describe("vendor corpus against tshark", () => {
  test("every capture is in the manifest", () => {
    expect(captures().sort()).toEqual(manifest.cases.map((c) => c.file).sort());
  });

  for (const file of captures()) {
    const info = manifest.cases.find((c) => c.file === file);
    const note = CASES[file];
    test(file, () => {
      if (!info) throw new Error(`${file} is not in the manifest`);
      const bytes = new Uint8Array(readFileSync(join(CORPUS, file)));
      const refs = loadTshark(join(CORPUS, file.replace(/\.pcap$/, ".tshark.jsonl")), bytes);
      const { rows, faults } = decodeCapture(bytes);

      // Records per datagram, as the length-only set walk counts them.
      const got = byFrame(rows, (r) => r.frame);
      const counts = info.walker_records_per_datagram.map((_, i) => got.get(i + 1)?.length ?? 0);
      expect(counts).toEqual(info.walker_records_per_datagram);
      if (info.spec_event_count !== null) {
        expect(note?.specFirstOnly ? (got.get(1)?.length ?? 0) : rows.length).toBe(info.spec_event_count);
      }

      // Field by field, in order within each frame.
      const want = byFrame(refs, (r) => r.frame);
      const diffs: string[] = [];
      for (const [frame, list] of want) {
        const mine = got.get(frame) ?? [];
        if (note?.tshark !== "prefix" && mine.length !== list.length) diffs.push(`frame ${frame}: ${mine.length} records, tshark ${list.length}`);
        list.forEach((ref: Reference, i) => {
          const rec = mine[i]?.record as Record<string, unknown> | undefined;
          if (!rec) return void diffs.push(`frame ${frame} #${i}: missing`);
          for (const d of compareRecord(ref, rec)) diffs.push(`frame ${frame} #${i} (set ${ref.flowset}): ${d}`);
        });
      }
      expect(diffs).toEqual([]);
      if (note?.faults) expect(faultTotal(faults)).toBeGreaterThan(0);
    });
  }
});

describe("the corpus notes", () => {
  test("every note names a capture of the corpus", () => {
    expect(Object.keys(CASES).filter((f) => !captures().includes(f))).toEqual([]);
  });

  test("prefix notes only where tshark decoded fewer records than the walk or the input is malformed", () => {
    for (const [file, note] of Object.entries(CASES)) {
      if (note.tshark !== "prefix") continue;
      const c = manifest.cases.find((m) => m.file === file);
      const fewer = c && c.tshark_records_per_datagram.some((n, i) => n < (c.walker_records_per_datagram[i] ?? 0));
      expect(fewer || file.startsWith("malformed/") || file.includes("h3c")).toBe(true);
    }
  });
});

// The values the originating test suite (logstash-codec-netflow) asserts, where its field names
// map to section 4 names: its own names for v5/v9, IANA names (already ours) for IPFIX. Times are
// left out (the suite's derived times carry its own 1 s offsets, see the corpus README).
const SPEC_NAMES: Record<string, string> = {
  ipv4_src_addr: "sourceIPv4Address", ipv4_dst_addr: "destinationIPv4Address", ipv4_next_hop: "ipNextHopIPv4Address",
  ipv6_src_addr: "sourceIPv6Address", ipv6_dst_addr: "destinationIPv6Address",
  l4_src_port: "sourceTransportPort", l4_dst_port: "destinationTransportPort", protocol: "protocolIdentifier",
  in_bytes: "octetDeltaCount", in_pkts: "packetDeltaCount", input_snmp: "ingressInterface", output_snmp: "egressInterface",
  src_tos: "ipClassOfService", tcp_flags: "tcpControlBits", src_mask: "sourceIPv4PrefixLength", dst_mask: "destinationIPv4PrefixLength",
  src_as: "bgpSourceAsNumber", dst_as: "bgpDestinationAsNumber",
};
const IANA_COMPARED = new Set(TSHARK_FIELDS.map(([, ie]) => ie));

interface SpecContext {
  field_assertions?: { event: number; field: string; value: unknown }[];
  full_events?: { event: number; expected: { netflow?: Record<string, unknown> } }[];
}

describe("vendor corpus against the originating suite's assertions", () => {
  for (const file of captures()) {
    const expectedFile = join(CORPUS, file.replace(/\.pcap$/, ".expected.json"));
    if (!existsSync(expectedFile)) continue; // extra/: no spec context reads these
    const spec = JSON.parse(readFileSync(expectedFile, "utf8")) as { spec_contexts: SpecContext[] };
    const facts: { event: number; ie: string; value: unknown }[] = [];
    for (const ctx of spec.spec_contexts) {
      const pairs = [
        ...(ctx.field_assertions ?? []).map((a) => [a.event, a.field, a.value] as const),
        ...(ctx.full_events ?? []).flatMap((e) => Object.entries(e.expected.netflow ?? {}).map(([k, v]) => [e.event, k, v] as const)),
      ];
      for (const [event, field, value] of pairs) {
        const ie = SPEC_NAMES[field] ?? (IANA_COMPARED.has(field) ? field : undefined);
        if (ie) facts.push({ event, ie, value: normalize(ie, value) });
      }
    }
    if (facts.length === 0) continue;
    test(file, () => {
      const { rows } = decodeCapture(new Uint8Array(readFileSync(join(CORPUS, file))));
      const diffs = facts
        .map((f) => ({ ...f, got: normalize(f.ie, (rows[f.event]?.record as Record<string, unknown> | undefined)?.[f.ie]) }))
        .filter((f) => f.got !== f.value)
        .map((f) => `event ${f.event} ${f.ie}: got ${JSON.stringify(f.got)}, spec ${JSON.stringify(f.value)}`);
      expect(diffs).toEqual([]);
    });
  }
});
