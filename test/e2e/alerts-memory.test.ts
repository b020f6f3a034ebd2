// A spoofed-source flood against a moving average (issue 5): more than a million distinct keys
// (src host, dst host pairs drawn from a million hosts on each side) into an average bounded by
// max_keys. The collector's resident memory (VmRSS) may grow by the receive path's working set,
// not by the keys: storing every key would take at least KEYS x (key words + rates) bytes, far
// above the allowance. /metrics must show the evictions and a key count within the bound.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type RunningCollector, startCollector } from "../support/collector.ts";
import { gen, rssBytes } from "../support/alerts.ts";
import { freeTcpPort, scrape, scrapeUntil } from "../http/support.ts";

const MAX_KEYS = 10_000;
const RECORDS = 29; // per v9 datagram
const POOL = 41_380; // datagrams, each sent once: 1 200 020 records, all different pairs
const FLOWS = RECORDS * POOL;
// Two IPv4 addresses (4 words each, the key is family-agnostic) and two rates plus t_last.
const BYTES_PER_KEY = 2 * 4 * 4 + 3 * 8;
// Measured on x86-64: +1 MiB with max_keys = 10 000; +95 MiB with max_keys = 2 000 000 (every
// key kept). 16 MiB leaves room for allocator noise and still fails an unbounded table.
const ALLOWANCE = 16 * 1024 * 1024;

let c: RunningCollector;
let base = "";

beforeAll(async () => {
  const http = await freeTcpPort();
  base = `http://127.0.0.1:${http}/`;
  c = await startCollector(
    `
[[mo]]
name = "all"
  [[mo.mavg]]
  name = "pairs"
  window = "10s"
  key = ["src host", "dst host"]
  values = ["packets", "bits"]
  max_keys = ${MAX_KEYS}
`,
    { http: `listen = "127.0.0.1:${http}"` },
  );
  await c.waitForLog(/http on /);
});

afterAll(async () => {
  if (!c) return;
  expect(await c.stop()).toBe(0);
  c.cleanup();
});

test("a million distinct keys stay within max_keys and the memory bound, with evictions counted", async () => {
  // Warm up the receive and decode path first, so the baseline includes its buffers and code.
  await gen(c.port, ["--version", "9", "--count", "58000", "--fps", "50000", "--seed", "2"]);
  await scrapeUntil(base, (s) => s.samples.get("xenoflow_decoded_flows_total") === 58000);
  const before = rssBytes(c.pid);

  const sent = await gen(c.port, [
    "--version", "9", "--records", String(RECORDS), "--pool", String(POOL), "--count", String(FLOWS),
    "--hosts-src", "1000000", "--hosts-dst", "1000000", "--fps", "60000", "--seed", "3",
  ]);
  expect(sent.flows).toBe(FLOWS);
  const s = await scrapeUntil(base, (x) => x.samples.get("xenoflow_decoded_flows_total") === 58000 + FLOWS, 30_000);
  const after = rssBytes(c.pid);

  const keys = s.samples.get('xenoflow_mavg_keys{mo="all",mavg="pairs"}') as number;
  const evicted = s.samples.get('xenoflow_mavg_evicted_total{mo="all",mavg="pairs"}') as number;
  expect(keys).toBeLessThanOrEqual(MAX_KEYS);
  // Every key beyond the bound was evicted (idle sweeps could only add to the evictions' work).
  expect(evicted).toBeGreaterThanOrEqual(1_000_000 - MAX_KEYS);
  expect(FLOWS * BYTES_PER_KEY).toBeGreaterThan(2 * ALLOWANCE); // the bound means something
  expect(after - before).toBeLessThan(ALLOWANCE);
  // Still answering and counting afterwards.
  expect((await scrape(base)).samples.get("xenoflow_decoded_flows_total")).toBe(58000 + FLOWS);
}, 120_000);
