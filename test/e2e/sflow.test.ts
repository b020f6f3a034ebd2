// sFlow end to end: `xenoflow run` fed pmacctd's sFlow captures by `xenoflow replay` (SQLite).
// At rate 1 the window sums equal the traffic's own IP bytes and packets; at rate 10 they are ten
// times what the samples hold (tshark's reading of them); NetFlow v9 and sFlow exporters on one
// socket add up in one monitoring object, each under its own exporter (for sFlow, the agent);
// the `dns name` and `sni` fields filter and key windows with the names the samples carry.
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readCapture } from "../../src/capture/pcap.ts";
import { BUN, MAIN, startCollector } from "../support/collector.ts";
import { freeTcpPort, scrapeUntil } from "../http/support.ts";

const SFLOW = join(import.meta.dir, "../fixtures/sflow");
const EXPORTERS = join(import.meta.dir, "../fixtures/exporters");
const AGENT = "192.0.2.100";
const window = (name: string, key: string) => `  [[mo.window]]\n  name = "${name}"\n  every = "1h"\n  key = ["${key}"]\n  values = ["octets", "packets", "flows"]`;
const BODY = [
  `[[mo]]\nname = "all"\nfilter = ""`, window("by_exporter", "exporter"), window("by_sni", "sni"),
  `[[mo]]\nname = "dns"\nfilter = "dns name example.com, api.test.example.net"`, window("names", "dns name"),
].join("\n");

const json = (file: string) => JSON.parse(readFileSync(file, "utf8")) as { octets: number; packets: number };
const datagramsOf = (file: string) => readCapture(new Uint8Array(readFileSync(file))).datagrams.length;

type Sums = Record<string, [number, number, number]>;

/** Rows of a window table summed per key (its first column); a table never written is empty. */
function sums(db: Database, table: string, key: string): Sums {
  const out: Sums = {};
  if (db.query("SELECT 1 FROM sqlite_master WHERE name = ?").get(table) === null) return out;
  for (const [k, o, p, f] of db.query(`SELECT ${key}, octets, packets, flows FROM ${table}`).values() as [string | null, number, number, number][]) {
    const acc = (out[k ?? "null"] ??= [0, 0, 0]);
    acc[0] += o;
    acc[1] += p;
    acc[2] += f;
  }
  return out;
}

/** Replays the captures into one collector; returns its window tables summed per key. */
async function run(files: readonly string[], workers = 1): Promise<{ exporters: Sums; sni: Sums; dns: Sums }> {
  const http = await freeTcpPort();
  const c = await startCollector(BODY, { http: `listen = "127.0.0.1:${http}"`, collector: `workers = ${workers}` });
  try {
    await c.waitForLog(/http on /);
    for (const file of files) {
      const replay = Bun.spawn([BUN, MAIN, "replay", file, "--to", `127.0.0.1:${c.port}`, "--speed", "0"], { stdout: "pipe", stderr: "pipe" });
      expect(await replay.exited).toBe(0);
    }
    const total = files.reduce((n, f) => n + datagramsOf(f), 0);
    const s = await scrapeUntil(`http://127.0.0.1:${http}/`, (x) => x.samples.get("xenoflow_decoded_datagrams_total") === total);
    expect([...s.samples].filter(([k, v]) => k.startsWith("xenoflow_decode_faults_total") && v !== 0)).toEqual([]);
    expect(s.samples.get(`xenoflow_sflow_lost_samples_total{agent="${AGENT}",sub_agent="0"}`)).toBe(0);
    expect(await c.stop()).toBe(0);
    const db = new Database(join(c.dir, "xf.sqlite"), { readonly: true });
    try {
      return { exporters: sums(db, "all_by_exporter", "exporter"), sni: sums(db, "all_by_sni", "sni"), dns: sums(db, "dns_names", "dns_name") };
    } finally {
      db.close();
    }
  } finally {
    c.cleanup();
  }
}

describe("xenoflow run with sFlow", () => {
  test("rate 1: the windows hold the traffic's IP bytes and packets, one flow per sample", async () => {
    const t = json(join(SFLOW, "traffic.totals.json"));
    const r = await run([join(SFLOW, "pmacct-rate1.pcap")]);
    expect(r.exporters).toEqual({ [AGENT]: [t.octets, t.packets, t.packets] });
    // Names as tshark read them from the samples (sflow-pmacct.test.ts compares every one).
    const refs = readFileSync(join(SFLOW, "pmacct-rate1.tshark.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, string[]>);
    const named = (field: string, names: readonly string[]) => {
      const out: Sums = {};
      for (const ref of refs) {
        const name = ref[field]?.[0];
        if (name === undefined || !names.includes(name)) continue;
        const acc = (out[name] ??= [0, 0, 0]);
        acc[0] += Number(ref["ip.len"]![0]);
        acc[1]++;
        acc[2]++;
      }
      return out;
    };
    const sni = named("tls.handshake.extensions_server_name", ["example.com"]);
    expect(r.sni).toEqual({ ...sni, null: [t.octets - sni["example.com"]![0], t.packets - 1, t.packets - 1] });
    expect(r.dns).toEqual(named("dns.qry.name", ["example.com", "api.test.example.net"]));
  }, 60_000);

  test("rate 10: values scaled by the samples' rate, flows not", async () => {
    const refs = readFileSync(join(SFLOW, "pmacct-rate10.tshark.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, string[] | string>);
    const ipBytes = refs.reduce((n, r) => n + Number((r["ip.len"] as string[] | undefined)?.[0] ?? Number((r["ipv6.plen"] as string[])[0]) + 40), 0);
    expect(refs.every((r) => r["sflow.flow_sample.sampling_rate"] === "10")).toBe(true);
    expect((await run([join(SFLOW, "pmacct-rate10.pcap")])).exporters).toEqual({ [AGENT]: [10 * ipBytes, 10 * refs.length, refs.length] });
  }, 60_000);

  test("counter samples of `gen --version sflow`: the dashboard's busiest interfaces from their rates", async () => {
    const http = await freeTcpPort();
    const c = await startCollector(BODY, { http: `listen = "127.0.0.1:${http}"` });
    try {
      await c.waitForLog(/http on /);
      // 1000 datagrams a second, a counter sample in every 20th (beside 6 flow samples: 7 leave it no room).
      const gen = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${c.port}`, "--version", "sflow", "--records", "6", "--sampling", "100",
        "--fps", "6000", "--duration", "3s", "--template-every", "20"], { stdout: "pipe", stderr: "pipe" });
      type Api = { agents: { agent: string; interfaces: Record<string, number>[] }[] };
      const ask = async () => (await (await fetch(`http://127.0.0.1:${http}/api/interfaces`)).json()) as Api;
      // Rates span two samples the page's tracker saw: the first look sees one, the next its successor.
      await scrapeUntil(`http://127.0.0.1:${http}/`, (x) => (x.samples.get("xenoflow_decoded_datagrams_total") ?? 0) > 100);
      expect(await ask()).toEqual({ agents: [] });
      expect(await gen.exited).toBe(0);
      const api = await ask();
      expect(api.agents.map((a) => a.agent)).toEqual(["127.0.0.1"]);
      const i = api.agents[0]!.interfaces[0]!;
      // The generator counts 1000 octets and one unicast packet each way per packet its samples stand for.
      expect(i).toMatchObject({ exporter: "127.0.0.1", ifIndex: 1, speed: 10e9, inErrors: 0, outDiscards: 0 });
      expect(i.inOctets).toBeGreaterThan(0);
      expect(i.inOctets).toBeCloseTo(1000 * i.inPackets!, 0);
      expect(i.outOctets).toBe(i.inOctets);
      expect(await c.stop()).toBe(0);
    } finally {
      c.cleanup();
    }
  }, 60_000);

  for (const workers of [1, 2]) {
    test(`xenoflow_interfaces: gen's counter samples as rates every interface_counters (workers = ${workers})`, async () => {
      const c = await startCollector(`${BODY}\n[[exporter]]\naddress = "127.0.0.1"\nname = "sw1"\n  [[exporter.interface]]\n  index = 1\n  name = "xe-0/0/1"`, {
        collector: `workers = ${workers}`, storageLines: `interface_counters = "1s"`,
      });
      try {
        await c.waitForLog(/xenoflow listening on udp/);
        // A counter sample in every 20th datagram beside 6 flow samples, 1000 datagrams a second.
        const gen = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${c.port}`, "--version", "sflow", "--records", "6", "--sampling", "100",
          "--fps", "6000", "--duration", "4s", "--template-every", "20"], { stdout: "pipe", stderr: "pipe" });
        expect(await gen.exited).toBe(0);
        await Bun.sleep(1500); // the interval the last samples fell in ends
        expect(await c.stop()).toBe(0);
        const db = new Database(join(c.dir, "xf.sqlite"), { readonly: true });
        try {
          const rows = db.query("SELECT time, exporter, if_index, if_name, if_speed, in_octets, out_octets, in_packets, in_errors FROM xenoflow_interfaces ORDER BY time").all() as Record<string, number | string>[];
          // One row a second while the samples came (the first second gives the baseline).
          expect(rows.length).toBeGreaterThanOrEqual(2);
          expect(rows.length).toBeLessThanOrEqual(5);
          for (const r of rows) {
            expect(r).toMatchObject({ exporter: "127.0.0.1", if_index: 1, if_name: "xe-0/0/1", if_speed: 10e9, in_errors: 0 });
            // The generator counts 1000 octets each way per packet its samples stand for: 100 per
            // sample, 6000 samples a second.
            expect(r.in_octets).toBe(r.out_octets);
            expect(Number(r.in_octets) / Number(r.in_packets)).toBeCloseTo(1000, 6);
            expect(Number(r.in_packets)).toBeGreaterThan(0.5 * 6000 * 100);
            expect(Number(r.in_packets)).toBeLessThan(1.5 * 6000 * 100);
          }
          expect(new Set(rows.map((r) => r.time)).size).toBe(rows.length);
        } finally {
          db.close();
        }
      } finally {
        c.cleanup();
      }
    }, 60_000);

    test(`NetFlow v9 and sFlow exporters into one monitoring object (workers = ${workers})`, async () => {
      const s = json(join(SFLOW, "traffic.totals.json"));
      const n = json(join(EXPORTERS, "traffic.totals.json"));
      // With two workers each replay's socket may hash to either: the agents' figures (lost
      // samples, in run()) and the windows come back merged.
      expect((await run([join(EXPORTERS, "softflowd-v9.pcap"), join(SFLOW, "pmacct-rate1.pcap")], workers)).exporters).toEqual({
        "127.0.0.1": [n.octets, n.packets, 40],
        [AGENT]: [s.octets, s.packets, s.packets],
      });
    }, 60_000);
  }
});
