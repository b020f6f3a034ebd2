// The generator's datagrams as Wireshark's cflow dissector reads them: every field of every
// record, and the headers, for v5, v9 and IPFIX. tshark is installed on CI; elsewhere the test
// is skipped only when the binary is missing.
import { describe, expect, test } from "bun:test";
import { formatV4 } from "../../src/net/address.ts";
import type { Version } from "../../src/gen/codec.ts";
import { createExporter } from "../../src/gen/exporter.ts";
import { parseNets } from "../../src/gen/net.ts";
import { type Pool, buildPool } from "../../src/gen/pool.ts";
import { writePcap } from "../support/pcapwrite.ts";

const TSHARK = Bun.which("tshark");
const MUST = process.env.CI !== undefined;
const EXPORT_MS = 1_700_000_000_250;
const UPTIME_MS = 3_600_000;

function pool(version: Version, records: number): Pool {
  return buildPool(
    {
      version,
      records,
      datagrams: 4,
      seed: 7,
      srcNets: parseNets("10.0.0.0/8"),
      dstNets: parseNets("10.0.0.0/8,192.0.2.0/24"),
      hostsSrc: 50,
      hostsDst: 50,
      zipf: 1.1,
      webShare: 0.5,
      octetsMin: 64,
      octetsMax: 1500,
    },
    { exportMs: EXPORT_MS, uptimeMs: UPTIME_MS, sequence: 0, domain: 0 },
  );
}

type Obj = Record<string, unknown>;

async function dissect(p: Pool, datagrams: number, every: number): Promise<Obj[]> {
  const ex = createExporter(p, 7, { every, intervalMs: 3_600_000 });
  const frames = [];
  for (let d = 0; d < datagrams; d++) {
    frames.push({ tsMs: EXPORT_MS, src: "192.0.2.1", srcPort: 50000, dst: "192.0.2.9", dstPort: 2055, payload: ex.next(EXPORT_MS, p.records).slice() });
    ex.commit(EXPORT_MS);
  }
  const file = `${process.env.TMPDIR ?? "/tmp"}/xenoflow-gen-${process.pid}-${p.codec.version}.pcap`;
  await Bun.write(file, writePcap(frames));
  const proc = Bun.spawn([TSHARK as string, "-r", file, "-d", "udp.port==2055,cflow", "-T", "json"], { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  await Bun.file(file).delete();
  return (JSON.parse(out) as { _source: { layers: { cflow: Obj } } }[]).map((f) => f._source.layers.cflow);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** "Nov 14, 2023 22:13:17.102000000 UTC" -> epoch ms */
function absMs(text: unknown): number {
  const m = /^(\w{3}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3})\d* UTC$/.exec(String(text));
  if (!m) throw new Error(`unexpected time ${String(text)}`);
  return Date.UTC(+m[3]!, MONTHS.indexOf(m[1]!), +m[2]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
}

/** What tshark must print for record i of the pool. */
function expected(p: Pool, i: number): Obj {
  const b = p.batch;
  return {
    "cflow.srcaddr": formatV4(b.srcAddr[i * 4]!),
    "cflow.dstaddr": formatV4(b.dstAddr[i * 4]!),
    "cflow.nexthop": formatV4(b.nextHop[i * 4]!),
    "cflow.inputint": String(b.inIf[i]),
    "cflow.outputint": String(b.outIf[i]),
    "cflow.packets": "1",
    "cflow.octets": String(b.octets[i]),
    "cflow.srcport": String(b.srcPort[i]),
    "cflow.dstport": String(b.dstPort[i]),
    "cflow.tcpflags": `0x${b.tcpFlags[i]!.toString(16).padStart(2, "0")}`,
    "cflow.protocol": String(b.proto[i]),
    "cflow.tos": `0x${b.tos[i]!.toString(16).padStart(2, "0")}`,
    "cflow.srcas": String(b.srcAs[i]),
    "cflow.dstas": String(b.dstAs[i]),
    "cflow.srcmask": String(b.srcMask[i]),
    "cflow.dstmask": String(b.dstMask[i]),
  };
}

function recordsOf(version: Version, cflow: Obj): Obj[] {
  if (version === 5) return Object.keys(cflow).filter((k) => k.startsWith("pdu ")).map((k) => cflow[k] as Obj);
  const data = Object.keys(cflow).filter((k) => /^(FlowSet|Set) \d+ \[id=256\]/.test(k));
  return data.flatMap((k) => {
    const set = cflow[k] as Obj;
    return Object.keys(set).filter((f) => f.startsWith("Flow ")).map((f) => set[f] as Obj);
  });
}

describe.skipIf(!TSHARK && !MUST)("tshark reads every generated record", () => {
  for (const [version, records] of [[5, 30], [9, 29], [10, 29]] as const) {
    test(`version ${version}, ${records} records per datagram`, async () => {
      const p = pool(version, records);
      const packets = await dissect(p, 4, 3); // template in datagrams 0 and 3
      expect(packets.length).toBe(4);
      packets.forEach((cf, d) => {
        expect(cf["cflow.version"]).toBe(String(version));
        // v5: flows before; v9: packets before; IPFIX: data records before.
        expect(cf["cflow.sequence"]).toBe(String(version === 9 ? d : d * records));
        if (version === 5) expect(cf["cflow.engine_id"]).toBe("7");
        if (version === 9) expect(cf["cflow.source_id"]).toBe("7");
        if (version === 10) expect(cf["cflow.od_id"]).toBe("7");
        if (version !== 10) expect(cf["cflow.sysuptime"]).toBe("3600.000000000");
        if (version === 9) expect(cf["cflow.count"]).toBe(String(records + (d % 3 === 0 ? 1 : 0)));
        const hasTemplate = Object.keys(cf).some((k) => /\[id=(0|2)\] \(Data Template\): 256$/.test(k));
        expect(hasTemplate).toBe(version !== 5 && d % 3 === 0);
        const got = recordsOf(version, cf);
        expect(got.length).toBe(records);
        got.forEach((r, k) => {
          const i = d * records + k;
          const { "cflow.timedelta_tree": tree, "cflow.timedelta": _delta, "cflow.padding": _pad, "cflow.tcpflags_tree": _f, ...fields } = r;
          expect(fields).toEqual(expected(p, i));
          const t = tree as Obj;
          const start = p.batch.startMs[i]!;
          const end = p.batch.endMs[i]!;
          if (version === 10) {
            // Deltas count back from the header's export time, which has whole seconds only.
            const base = Math.floor(EXPORT_MS / 1000) * 1000 - EXPORT_MS;
            expect([absMs(t["cflow.abstimestart"]), absMs(t["cflow.abstimeend"])]).toEqual([start + base, end + base]);
          } else {
            const upt = (ms: number) => (UPTIME_MS - (EXPORT_MS - ms)) / 1000;
            expect([Number(t["cflow.timestart"]), Number(t["cflow.timeend"])]).toEqual([upt(start), upt(end)]);
          }
        });
      });
    });
  }
});
