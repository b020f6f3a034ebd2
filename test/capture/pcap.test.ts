// The capture reader on real files: the vendor corpus (datagram counts from its README table)
// and captures made by tcpdump (loopback Ethernet, Linux cooked v1/v2, nanosecond) and
// editcap (pcapng, nanosecond pcap), checked against tshark's reading of the same files
// (scripts/make-fixtures.sh formats).
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readCapture } from "../../src/capture/pcap.ts";
import { CORPUS } from "../support/corpus.ts";

const FIXTURES = join(import.meta.dir, "fixtures");
const load = (p: string) => new Uint8Array(readFileSync(p));

interface CorpusRow {
  n: number;
  file: string;
  datagrams: number;
}

function corpusTable(): CorpusRow[] {
  const rows: CorpusRow[] = [];
  for (const line of readFileSync(join(CORPUS, "README.md"), "utf8").split("\n")) {
    const m = /^\| (\d+) \| `([^`]+\.pcap)` \| [^|]+ \| [^|]+ \| (\d+) \|/.exec(line);
    if (m) rows.push({ n: Number(m[1]), file: m[2] ?? "", datagrams: Number(m[3]) });
  }
  return rows;
}

describe("vendor corpus", () => {
  const rows = corpusTable();

  test("the README table lists every pcap of the corpus", () => {
    const files = ["", "extra/", "malformed/"].flatMap((d) =>
      readdirSync(join(CORPUS, d)).filter((f) => f.endsWith(".pcap")).map((f) => d + f),
    );
    expect(rows.map((r) => r.file).sort()).toEqual(files.sort());
    expect(rows.reduce((a, r) => a + r.datagrams, 0)).toBe(107);
  });

  for (const row of rows) {
    test(row.file, () => {
      const { datagrams, skipped } = readCapture(load(join(CORPUS, row.file)));
      expect(skipped).toBe(0);
      expect(datagrams.map((d) => d.frame)).toEqual(Array.from({ length: row.datagrams }, (_, i) => i + 1));
      // The README's addressing plan: exporter 192.0.2.N port 2055+N, collector 127.0.0.1:2055.
      for (const d of datagrams) {
        expect([d.src, d.srcPort, d.dst, d.dstPort]).toEqual([`192.0.2.${row.n}`, 2055 + row.n, "127.0.0.1", 2055]);
      }
      // Frame times: +1 ms per frame from the first.
      const first = datagrams[0]?.tsMs ?? 0;
      expect(datagrams.map((d) => d.tsMs - first)).toEqual(datagrams.map((_, i) => i));
    });
  }

  test("the port filter keeps only the listed destination ports", () => {
    const bytes = load(join(CORPUS, "v5-softflowd.pcap"));
    expect(readCapture(bytes, { ports: [2055] }).datagrams.length).toBe(12);
    expect(readCapture(bytes, { ports: [4739, 9995] })).toEqual({ datagrams: [], skipped: 12 });
  });
});

/** tshark -T fields: frame.number, frame.time_epoch, ip.src, ipv6.src, udp.srcport, udp.dstport, udp.length */
function tsharkRows(file: string) {
  return readFileSync(`${file}.tsv`, "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const [frame = "", epoch = "", v4 = "", v6 = "", sport = "", dport = "", ulen = ""] = l.split("\t");
      return { frame: Number(frame), epoch: Number(epoch), src: v4 || v6, srcPort: Number(sport), dstPort: Number(dport), len: Number(ulen) - 8 };
    });
}

describe("real captures in other formats and link types", () => {
  const loopback = ["lo-ethernet.pcap", "lo-ethernet-nano.pcap", "any-sll.pcap", "any-sll2.pcap"];
  for (const name of loopback) {
    test(name, () => {
      const file = join(FIXTURES, name);
      const { datagrams, skipped } = readCapture(load(file));
      const want = tsharkRows(file);
      expect(skipped).toBe(0);
      expect(datagrams.map((d) => ({ frame: d.frame, src: d.src, srcPort: d.srcPort, dstPort: d.dstPort, len: d.payload.length }))).toEqual(
        want.map((w) => ({ frame: w.frame, src: w.src, srcPort: w.srcPort, dstPort: w.dstPort, len: w.len })),
      );
      expect(datagrams.map((d) => d.dst)).toEqual(want.map((w) => w.src)); // loopback: to itself
      datagrams.forEach((d, i) => expect(d.tsMs).toBeCloseTo((want[i]?.epoch ?? 0) * 1000, 3));
      expect(datagrams.map((d) => new TextDecoder().decode(d.payload))).toEqual(want.map((_, i) => `xenoflow-fmt-${i}`));
    });
  }

  for (const name of ["v9-cisco-asa-2.pcapng", "v9-cisco-asa-2.nsec.pcap"]) {
    test(`${name} holds the same datagrams as the original pcap`, () => {
      const original = readCapture(load(join(CORPUS, "v9-cisco-asa-2.pcap")));
      const converted = readCapture(load(join(FIXTURES, name)));
      expect(converted.skipped).toBe(0);
      expect(converted.datagrams).toEqual(original.datagrams);
      expect(tsharkRows(join(FIXTURES, name)).map((w) => w.epoch * 1000)).toEqual(original.datagrams.map((d) => d.tsMs));
    });
  }

  test("payloads are views into the file's bytes", () => {
    const bytes = load(join(FIXTURES, "any-sll2.pcap"));
    const { datagrams } = readCapture(bytes);
    expect(datagrams.length).toBe(3);
    for (const d of datagrams) expect(d.payload.buffer).toBe(bytes.buffer);
  });
});
