// End to end: `xenoflow run` with the HTTP server on, fed by real exporter captures (one source
// address each) and by `xenoflow gen`; /metrics must count exactly what was sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readCapture } from "../../src/capture/pcap.ts";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";
import { FAMILIES } from "./prom.ts";
import { freeTcpPort, scrape, scrapeUntil, sendFrom } from "./support.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/exporters");
const CAPTURES = [
  { file: "pmacct-v5.pcap", from: "127.0.0.5", version: 5 },
  { file: "pmacct-v9.pcap", from: "127.0.0.9", version: 9 },
  { file: "pmacct-v10.pcap", from: "127.0.0.10", version: 10 },
];
const MO = `
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "proto"
  every = "1s"
  key = ["proto"]
  values = ["octets", "flows"]
[[mo]]
name = "tcp"
parent = "all"
filter = "proto tcp"
`;

/** Flow records (not options records) in a capture, as `xenoflow decode` prints them. */
function flowsIn(file: string): number {
  const r = Bun.spawnSync([BUN, MAIN, "decode", file]);
  if (r.exitCode !== 0) throw new Error(`decode ${file}: ${r.stderr.toString()}`);
  return r.stdout.toString().split("\n").filter((l) => l.startsWith("{") && !l.includes('"options":true')).length;
}

async function gen(port: number, count: number): Promise<{ flows: number; datagrams: number; octets: number }> {
  const p = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", String(count), "--version", "9", "--fps", "20000"], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  if ((await p.exited) !== 0) throw new Error(`gen failed: ${await new Response(p.stderr).text()}`);
  return JSON.parse(out);
}

describe("http server end to end", () => {
  let c: RunningCollector;
  let base = "";
  beforeAll(async () => {
    const port = await freeTcpPort();
    c = await startCollector(MO, { http: `listen = "127.0.0.1:${port}"` });
    await c.waitForLog(/http on /);
    base = `http://127.0.0.1:${port}/`;
  });
  afterAll(async () => {
    expect(await c.stop()).toBe(0);
    c.cleanup();
  });

  test("/metrics counts the datagrams, flows and bytes of each exporter", async () => {
    const expected = CAPTURES.map((cap) => {
      const file = join(FIXTURES, cap.file);
      const datagrams = readCapture(new Uint8Array(readFileSync(file))).datagrams.map((d) => d.payload);
      return { ...cap, payloads: datagrams, bytes: datagrams.reduce((a, p) => a + p.length, 0), flows: flowsIn(file) };
    });
    for (const e of expected) await sendFrom(e.from, c.port, e.payloads);
    const g = await gen(c.port, 2900);
    expect(g.flows).toBe(2900);
    const total = expected.reduce((a, e) => a + e.flows, 0) + g.flows;
    const s = await scrapeUntil(base, (x) => x.samples.get("xenoflow_decoded_flows_total") === total);

    for (const e of expected) {
      expect([
        s.samples.get(`xenoflow_exporter_datagrams_total{exporter="${e.from}",version="${e.version}"}`),
        s.samples.get(`xenoflow_exporter_flows_total{exporter="${e.from}"}`),
        s.samples.get(`xenoflow_exporter_bytes_total{exporter="${e.from}"}`),
      ]).toEqual([e.payloads.length, e.flows, e.bytes]);
    }
    expect(s.samples.get('xenoflow_exporter_datagrams_total{exporter="127.0.0.1",version="9"}')).toBe(g.datagrams);
    expect(s.samples.get('xenoflow_exporter_flows_total{exporter="127.0.0.1"}')).toBe(2900);
    const datagrams = expected.reduce((a, e) => a + e.payloads.length, 0) + g.datagrams;
    expect(s.samples.get("xenoflow_received_datagrams_total")).toBe(datagrams);
    expect(s.samples.get("xenoflow_decoded_datagrams_total")).toBe(datagrams);
    expect(s.samples.get('xenoflow_mo_flows_total{mo="all"}')).toBe(total);
    expect(s.samples.get(`xenoflow_kernel_drops_total{socket="127.0.0.1:${c.port}"}`)).toBe(0);
    expect([...s.samples].filter(([k, v]) => k.startsWith("xenoflow_decode_faults_total") && v !== 0)).toEqual([]);
    expect(Object.fromEntries([...s.families].map(([n, f]) => [n, f.type]))).toEqual(FAMILIES);
    // A closed window reaches the store and /api/top.
    await scrapeUntil(base, (x) => (x.samples.get("xenoflow_windows_exported_total") ?? 0) > 0);
    const top = (await (await fetch(`${base}api/top?window=all/proto`)).json()) as { columns: string[]; rows: unknown[][] };
    expect(top.columns).toEqual(["proto", "octets", "flows"]);
    expect(top.rows.length).toBeGreaterThan(0);
  });

  test("the JSON API describes exporters, series, alerts and health", async () => {
    const ex = (await (await fetch(`${base}api/exporters`)).json()) as { exporters: { address: string; versions: Record<string, number>; templates: number }[] };
    const by = Object.fromEntries(ex.exporters.map((e) => [e.address, e]));
    expect(Object.keys(by).sort()).toEqual(["127.0.0.1", "127.0.0.10", "127.0.0.5", "127.0.0.9"]);
    expect(Object.keys(by["127.0.0.5"]?.versions ?? {})).toEqual(["5"]);
    expect(by["127.0.0.5"]?.templates).toBe(0);
    expect(by["127.0.0.9"]?.templates).toBeGreaterThan(0);
    expect(by["127.0.0.10"]?.templates).toBeGreaterThan(0);
    const series = (await (await fetch(`${base}api/series`)).json()) as { stepMs: number; mos: { name: string }[] };
    expect([series.stepMs, series.mos.map((m) => m.name)]).toEqual([5000, ["all", "tcp"]]);
    expect(await (await fetch(`${base}api/alerts`)).json()).toEqual({ alerts: [] });
    const h = await fetch(`${base}healthz`);
    expect(h.status).toBe(200);
    expect(((await h.json()) as { status: string }).status).toBe("ok");
    const page = await fetch(base);
    expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain("<title>xenoflow</title>");
    // Protocol names for "6 (tcp)" keys, from the same table as the filters'.
    const names = JSON.parse(/const PROTOCOLS = (\{.*\});/.exec(html)?.[1] ?? "null") as Record<string, string>;
    expect([names["6"], names["17"], names["58"], Object.keys(names).length]).toEqual(["tcp", "udp", "ipv6-icmp", 21]);
    expect((await fetch(`${base}nope`)).status).toBe(404);
    expect((await fetch(`${base}api/top?window=all/nope`)).status).toBe(404);
    expect((await fetch(`${base}metrics`, { method: "POST" })).status).toBe(405);
  });
});

describe("http server off loopback", () => {
  test("demands the token", async () => {
    const port = await freeTcpPort();
    const c = await startCollector(MO, { http: `listen = "0.0.0.0:${port}"\ntoken = "s3cret-token"` });
    try {
      await c.waitForLog(/http on .*token required/);
      const base = `http://127.0.0.1:${port}/`;
      const status = async (path: string, auth?: string) => (await fetch(base + path, { headers: auth ? { authorization: auth } : {} })).status;
      expect([
        await status("metrics"),
        await status("healthz"),
        await status(""),
        await status("api/summary"),
        await status("metrics", "Bearer wrong"),
        await status("metrics", "Bearer s3cret-token"),
        await status("", `Basic ${Buffer.from("admin:s3cret-token").toString("base64")}`),
      ]).toEqual([401, 401, 401, 401, 401, 200, 200]);
      const s = await scrape(base, { authorization: "Bearer s3cret-token" });
      expect(s.samples.get("xenoflow_healthy")).toBe(1);
      expect(await c.stop()).toBe(0);
    } finally {
      c.cleanup();
    }
  });
});
