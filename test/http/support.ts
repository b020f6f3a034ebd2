// Helpers shared by the HTTP end-to-end tests: free TCP ports, sending a capture's datagrams
// from a chosen loopback source address (one emulated exporter each), polling a scrape.
import dgram from "node:dgram";
import { createServer } from "node:net";
import { parseScrape, type Scrape } from "./prom.ts";

export async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (a === null || typeof a === "string") throw new Error("no TCP port");
  return a.port;
}

/** Sends the payloads from `from` (any 127/8 address on Linux), paced below the receive buffer. */
export async function sendFrom(from: string, port: number, payloads: readonly Uint8Array[]): Promise<void> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, from, () => r()));
  for (let i = 0; i < payloads.length; i++) {
    await new Promise<void>((r, j) => s.send(payloads[i] as Uint8Array, port, "127.0.0.1", (e) => (e ? j(e) : r())));
    if (i % 16 === 15) await Bun.sleep(1);
  }
  await new Promise<void>((r) => s.close(() => r()));
}

export async function scrape(base: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const r = await fetch(`${base}metrics`, { headers });
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return parseScrape(await r.text());
}

/** Polls /metrics until `done` holds, or throws after `timeoutMs` with the last scrape's samples. */
export async function scrapeUntil(base: string, done: (s: Scrape) => boolean, timeoutMs = 15_000): Promise<Scrape> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await scrape(base);
    if (done(s)) return s;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last scrape:\n${[...s.samples].map(([k, v]) => `${k} ${v}`).join("\n")}`);
    await Bun.sleep(100);
  }
}
