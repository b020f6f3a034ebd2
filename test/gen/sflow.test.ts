// `gen --version sflow`: the generator's sFlow datagrams through our decoder and tshark. Every
// flow sample is one record of the pool's mix at the asked rate; sequence numbers run on across
// sends (no lost samples); the counter sample rides where a template would, when it fits.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDecoder } from "../../src/decode/index.ts";
import { createExporter } from "../../src/gen/exporter.ts";
import { parseNets } from "../../src/gen/net.ts";
import { buildPool } from "../../src/gen/pool.ts";
import { parseGenArgs } from "../../src/gen/options.ts";
import { writePcap } from "../support/pcapwrite.ts";
import { OPTS, faultsExcept } from "../decode/wire.ts";

const EXPORT_MS = 1_700_000_000_000;
// tshark is installed on CI (.ci/run); elsewhere its check is skipped.
const TSHARK = Bun.which("tshark") !== null || process.env.CI === "true";

function pool(records: number, sampling: number, datagrams = 4) {
  return buildPool(
    {
      version: "sflow", records, datagrams, sampling, seed: 3, srcNets: parseNets("10.0.0.0/8"), dstNets: parseNets("192.0.2.0/24"),
      hostsSrc: 50, hostsDst: 50, zipf: 0, webShare: 0.5, octetsMin: 40, octetsMax: 1500,
    },
    { exportMs: EXPORT_MS, uptimeMs: 60_000, sequence: 0, domain: 0 },
  );
}

/** What the exporter sends over `sends` datagrams (counters every 3rd). */
function sent(records: number, sampling: number, sends: number) {
  const p = pool(records, sampling);
  const ex = createExporter(p, 7, { every: 3, intervalMs: 1e9 });
  const out: Uint8Array[] = [];
  for (let k = 0; k < sends; k++) {
    out.push(ex.next(EXPORT_MS + k, records).slice());
    ex.commit(EXPORT_MS + k);
  }
  return { p, out, totals: ex.totals };
}

describe("gen sflow", () => {
  test("every sample decodes to its pool record, at the rate asked; counters where they fit", () => {
    const { p, out, totals } = sent(6, 10, 10);
    const d = createDecoder(OPTS);
    const recs: Record<string, unknown>[] = [];
    for (const g of out) d.decodeToRecords(g, { addr: "127.0.0.1", id: 0 }, 0, (r) => recs.push(r));
    expect(d.faults).toEqual(faultsExcept(d.faults, {}));
    expect(Math.max(...out.map((g) => g.length))).toBeLessThanOrEqual(1472);
    const flows = recs.filter((r) => r.counters !== true);
    expect(flows.length).toBe(60);
    expect(recs.filter((r) => r.counters === true).length).toBe(4); // sends 0, 3, 6, 9
    const b = p.batch;
    flows.forEach((r, k) => {
      const i = k % (p.records * p.datagrams.length);
      expect(r).toMatchObject({
        exporter: "127.0.0.1", version: "sflow5", domain: 7, samplingInterval: 10, packetDeltaCount: 1,
        octetDeltaCount: b.octets[i], protocolIdentifier: b.proto[i], ingressInterface: b.inIf[i], egressInterface: b.outIf[i],
      });
      if (b.octets[i]! >= 24) expect(r).toMatchObject({ sourceTransportPort: b.srcPort[i], destinationTransportPort: b.dstPort[i] });
    });
    expect(totals.octets).toBe(flows.reduce((a, r) => a + (r.octetDeltaCount as number), 0));
    expect(d.sflowAgents.get("127.0.0.1/7")).toMatchObject({ flowSamples: 60, counterSamples: 4, lostSamples: 0, pool: 600 });
  });

  test("7 samples of 128-byte headers fill a datagram: no room for counters then", () => {
    const { out } = sent(7, 1, 4); // send 0 and 3 would carry counters
    expect(out.map((g) => new DataView(g.buffer).getUint32(24))).toEqual([7, 7, 7, 7]);
    expect(out.every((g) => g.length <= 28 + 7 * 192)).toBe(true);
    expect(pool(7, 1).codec.maxRecords).toBe(7);
  });

  test("--version sflow --sampling N; --sampling is refused for NetFlow", () => {
    expect(parseGenArgs({ to: "127.0.0.1:6343", version: "sflow", sampling: "64" }).pool).toMatchObject({ version: "sflow", records: 6, sampling: 64 });
    expect(() => parseGenArgs({ to: "127.0.0.1:2055", version: "9", sampling: "64" })).toThrow("--sampling applies to --version sflow only");
  });

  test.skipIf(!TSHARK)("tshark reads the generated datagrams as sFlow v5 without complaint", () => {
    const { out } = sent(6, 10, 3);
    const dir = mkdtempSync(join(tmpdir(), "xenoflow-gen-sflow-"));
    try {
      const file = join(dir, "gen.pcap");
      writeFileSync(file, writePcap(out.map((payload, k) => ({ tsMs: EXPORT_MS + k, src: "127.0.0.1", srcPort: 40000, dst: "127.0.0.1", dstPort: 6343, payload }))));
      const tshark = (...args: string[]) => Bun.spawnSync(["tshark", "-r", file, "-d", "udp.port==6343,sflow", ...args]).stdout.toString();
      const rows = tshark("-T", "fields", "-e", "sflow_245.numsamples", "-e", "sflow.flow_sample.sampling_rate").trim().split("\n");
      expect(rows).toEqual(["7\t10,10,10,10,10,10", "6\t10,10,10,10,10,10", "6\t10,10,10,10,10,10"]);
      // Nothing malformed, no expert warning or error (severity >= PI_WARN).
      expect(tshark("-Y", "_ws.malformed or _ws.expert.severity >= 6291456")).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
