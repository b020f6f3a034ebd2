// Spoofed sources end to end: `xenoflow run` receives one valid v5 datagram from each of 2 000
// loopback addresses (Linux lets a socket bind any 127/8 address, so this needs no privileges and
// sends nothing off the box). Every source becomes an exporter; what that costs must be bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import dgram from "node:dgram";
import { join } from "node:path";
import { type RunningCollector, startCollector } from "../support/collector.ts";
import { generatedStreams } from "../fuzz/seeds.ts";

const SOURCES = 2000;
const source = (k: number) => `127.1.${k >> 8}.${k & 255}`;
const v5 = generatedStreams().find((s) => s.name === "gen-v5")!.datagrams[0]!;

async function sendFrom(addr: string, port: number, payload: Uint8Array): Promise<void> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r, j) => {
    s.once("error", j);
    s.bind(0, addr, () => r());
  });
  await new Promise<void>((r, j) => s.send(payload, port, "127.0.0.1", (e) => (e ? j(e) : r())));
  await new Promise<void>((r) => s.close(() => r()));
}

let c: RunningCollector;
beforeAll(async () => {
  c = await startCollector(`[[mo]]\nname = "all"\n  [[mo.window]]\n  name = "proto"\n  every = "60s"\n  key = ["proto"]\n  values = ["flows"]\n`);
  for (let k = 1; k <= SOURCES; k++) await sendFrom(source(k), c.port, v5);
  await Bun.sleep(1000);
}, 60_000);
afterAll(() => c?.cleanup());

describe("spoofed sources", () => {
  // Regression (bug found by this suite, fixed in 214513d / efde2c7; see docs/RELIABILITY.md) — was: (src/collector/run.ts onDatagram: `log.info(\`new exporter ...\`)` with no rate-limit key, and the
  // `exporters` map that is never pruned): every spoofed source writes a log line and keeps an
  // ExporterStats entry (and its /metrics series) for the life of the process. Expected: the
  // line rate-limited like other repeated messages (a key such as "new-exporter"), the map bounded.
  test("2 000 spoofed sources do not write 2 000 log lines", () => {
    const lines = c.logs.filter((l) => l.includes("new exporter"));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(100);
  });

  test("the collector stays up and counts every source's flows", async () => {
    expect(await c.stop()).toBe(0); // SIGTERM: the open window is closed early and written
    expect(c.logs.filter((l) => /\b(error|panic|uncaught)\b/i.test(l))).toEqual([]);
    const db = new Database(join(c.dir, "xf.sqlite"), { readonly: true });
    const row = db.query("select sum(flows) as flows from all_proto").get() as { flows: number };
    db.close();
    expect(row.flows).toBe(SOURCES * 30); // the generator's v5 datagram holds 30 records
  }, 30_000);
});
