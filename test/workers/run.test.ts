// `xenoflow run` with collector.workers = 2 fed by `xenoflow gen --exporters 4`, from the checkout
// and as the compiled binary (where the worker is an extra entry point of the compile): window
// totals equal what gen sent, each key is one row, the merged top-N holds, and the workers' debug
// dump holds every flow once.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostBinary } from "../build/helpers.ts";
import { BUN, MAIN, freeUdpPort } from "../support/collector.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const COUNT = 80_000;

async function runWith(cmd: string[]): Promise<{ code: number; log: string; db: Database; dump: string }> {
  const dir = mkdtempSync(join(tmpdir(), "xf-workers-run-"));
  dirs.push(dir);
  const port = await freeUdpPort();
  const config = join(dir, "xenoflow.toml");
  writeFileSync(
    config,
    `data_dir = "${dir}"
[collector]
listen = ["127.0.0.1:${port}"]
workers = 2
recv_buffer = "8MiB"
[storage]
url = "sqlite:${dir}/xf.sqlite"
[http]
listen = ""
[debug]
dump_flows = "${dir}/flows.jsonl"
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "pairs"
  every = "1h"
  key = ["src host", "dst host"]
  values = ["packets", "flows"]
  [[mo.window]]
  name = "dst"
  every = "1h"
  key = ["dst host"]
  values = ["packets"]
  top = 10
`,
  );
  const proc = Bun.spawn([...cmd, "run", "-c", config], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1", JOURNAL_STREAM: "" } });
  let log = "";
  const reader = (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) log += new TextDecoder().decode(chunk);
  })();
  for (let i = 0; i < 200 && !log.includes("listening on udp"); i++) await Bun.sleep(50);
  expect(log).toContain("2 collector workers on");
  // The workers read with recvmmsg(2) through bun:ffi, in the compiled binary too.
  expect(log).toMatch(/listening on udp 127\.0\.0\.1:\d+ \(recvmmsg\)/);
  const gen = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", String(COUNT), "--fps", "100000", "--exporters", "4", "--hosts-src", "30", "--hosts-dst", "20"], { stdout: "pipe" });
  const summary = JSON.parse(await new Response(gen.stdout).text()) as { flows: number };
  expect(summary.flows).toBe(COUNT);
  await Bun.sleep(1500);
  proc.kill("SIGTERM");
  const code = await proc.exited;
  await reader;
  return { code, log, db: new Database(join(dir, "xf.sqlite"), { readonly: true }), dump: readFileSync(join(dir, "flows.jsonl"), "utf8") };
}

function check(r: { code: number; log: string; db: Database; dump: string }) {
  expect({ code: r.code, log: r.log.includes("error") ? r.log : "" }).toEqual({ code: 0, log: "" });
  // Both workers append to the debug dump: every flow one whole line, from all four exporters.
  const lines = r.dump.split("\n");
  expect(lines.pop()).toBe("");
  const flows = lines.map((l) => JSON.parse(l) as { packetDeltaCount?: number; options?: boolean; exporter: string });
  const data = flows.filter((f) => f.options !== true);
  expect({ flows: data.length, packets: data.reduce((s, f) => s + (f.packetDeltaCount ?? 0), 0) }).toEqual({ flows: COUNT, packets: COUNT });
  const q = (sql: string) => r.db.query(sql).get() as Record<string, number>;
  // One row per key and window (a run that straddles the hour has two windows).
  expect(
    q("SELECT sum(packets) AS packets, sum(flows) AS flows, count(*) AS rows, count(DISTINCT time || ' ' || src_host || ' ' || dst_host) AS keys, count(DISTINCT src_host || ' ' || dst_host) AS pairs FROM all_pairs"),
  ).toEqual({ packets: COUNT, flows: COUNT, rows: expect.any(Number), keys: expect.any(Number), pairs: 30 * 20 });
  const pairs = q("SELECT count(*) AS rows, count(DISTINCT time || ' ' || src_host || ' ' || dst_host) AS keys FROM all_pairs");
  expect(pairs.rows).toBe(pairs.keys!);
  // Per window, the top 10 of 20 destinations and one remainder row, taken after the merge.
  expect(q("SELECT sum(packets) AS packets, count(*) - 11 * count(DISTINCT time) AS extra, count(dst_host) - 10 * count(DISTINCT time) AS extraKeyed FROM all_dst")).toEqual({
    packets: COUNT,
    extra: 0,
    extraKeyed: 0,
  });
  r.db.close();
}

describe("xenoflow run with two workers", () => {
  test("from the checkout", async () => check(await runWith([BUN, MAIN])), 30_000);
  test("as the compiled binary (make build)", async () => check(await runWith([hostBinary()])), 300_000);
});
