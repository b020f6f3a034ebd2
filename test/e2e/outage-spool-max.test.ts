// Issue 8 item 3: the disk spool is bounded by storage.spool_max. With the database unreachable and
// a 256 KiB spool, 1 s windows of ~2 000 rows fill it within seconds; from then on whole segments
// are dropped OLDEST first, each drop is logged and counted on /metrics, the spool stays under
// its bound, and what is left is the newest, unbroken run of windows. And a spool that cannot be
// written at all (its directory gone, the disk full) loses the exports it cannot append, says so
// in the log, and the collector keeps receiving: a failed append must not end the process (Bun
// exits on an unhandled promise rejection).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeRecord, scanRecords } from "../../src/store/spool-record.ts";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";
import { freeTcpPort, scrape } from "../http/support.ts";

const SPOOL_MAX = 256 * 1024;
const MO = `
[[mo]]
name = "all"
  [[mo.window]]
  name = "hosts"
  every = "1s"
  key = ["src host"]
  values = ["flows"]
`;

const dir = mkdtempSync(join(tmpdir(), "xf-spoolmax-"));
const failDir = mkdtempSync(join(tmpdir(), "xf-spoolfail-"));
let c: RunningCollector | null = null;
afterAll(() => {
  c?.cleanup();
  for (const d of [dir, failDir]) rmSync(d, { recursive: true, force: true });
});

test(
  "a full spool drops the oldest segments, says so in the log and on /metrics, and keeps the newest windows",
  async () => {
    const dead = await freeTcpPort(); // nothing listens: the database is down for the whole test
    const http = await freeTcpPort();
    // The helper ends [storage] with `url = "<storage>"`: close the string and add spool_max there.
    c = await startCollector(MO, { dir, storage: `postgres://xenoflow@127.0.0.1:${dead}/xenoflow"\nspool_max = "256KiB`, http: `listen = "127.0.0.1:${http}"` });
    const gen = Bun.spawnSync([BUN, MAIN, "gen", "--to", `127.0.0.1:${c.port}`, "--count", "24000", "--fps", "2000", "--hosts-src", "20000", "--version", "9"]);
    expect(gen.exitCode).toBe(0);
    const genEnd = Math.floor(Date.now() / 1000);
    await Bun.sleep(2000); // the last windows close and are spooled
    const m = (await scrape(`http://127.0.0.1:${http}/`)).samples;
    const metrics = {
      dropped: m.get("xenoflow_spool_dropped_exports_total") ?? 0,
      droppedRows: m.get("xenoflow_spool_dropped_rows_total") ?? 0,
      bytes: m.get("xenoflow_spool_bytes") ?? Number.NaN,
      written: m.get("xenoflow_windows_exported_total"),
    };
    c.cleanup(); // SIGKILL: what is on disk now is what a restart would replay
    await Bun.sleep(200);

    const drops = c.logs.filter((l) => /store: dropped /.test(l)).map((l) => ({
      exports: Number(/exports=(\d+)/.exec(l)?.[1]),
      rows: Number(/rows=(\d+)/.exec(l)?.[1]),
      segment: /segment=(\S+)/.exec(l)?.[1] ?? "",
    }));
    expect(drops.length).toBeGreaterThan(0);
    expect(c.logs.some((l) => / error store: dropped exports=\d+ rows=\d+ segment=\d{20}\.seg spoolBytes=\d+ spoolEntries=\d+/.test(l))).toBe(true);
    expect(metrics.dropped).toBeGreaterThanOrEqual(drops.reduce((n, d) => n + d.exports, 0));
    expect(metrics.droppedRows).toBeGreaterThanOrEqual(drops.reduce((n, d) => n + d.rows, 0));
    expect([metrics.written, metrics.bytes <= SPOOL_MAX, metrics.dropped > 0]).toEqual([0, true, true]);

    const spool = join(dir, "spool");
    const left = readdirSync(spool).filter((f) => f.endsWith(".seg")).sort();
    // Oldest first: segments are named by their first seq, so every dropped name sorts before every kept one.
    const dropped = drops.map((d) => d.segment);
    expect(dropped).toEqual([...dropped].sort());
    expect(left.length).toBeGreaterThan(0);
    expect(dropped.every((d) => d < left[0]!)).toBe(true);

    // What is left is an unbroken run of windows ending with the newest one.
    const times: number[] = [];
    for (const f of left) {
      const buf = new Uint8Array(readFileSync(join(spool, f)));
      for (const r of scanRecords(buf).records) times.push(decodeRecord(buf.subarray(r.offset, r.offset + r.bytes)).time);
    }
    const last = times[times.length - 1]!;
    expect(times).toEqual(Array.from({ length: times.length }, (_, i) => last - times.length + 1 + i));
    expect(last).toBeGreaterThanOrEqual(genEnd - 2); // the window gen's last flows went to, or the one before
    console.log(`spool_max e2e: ${metrics.dropped} exports (${metrics.droppedRows} rows) dropped in ${drops.length} logged drops; ${times.length} newest windows kept in ${metrics.bytes} bytes of ${SPOOL_MAX}`);
  },
  { timeout: 60_000 },
);

test(
  "with its spool directory removed, the collector logs spool errors and keeps decoding",
  async () => {
    c?.cleanup();
    const dead = await freeTcpPort(); // no database: every export stays in the spool
    const http = await freeTcpPort();
    // 256 KiB of spool: 64 KiB segments, so new segment files are opened within seconds.
    c = await startCollector(MO, { dir: failDir, storage: `postgres://xenoflow@127.0.0.1:${dead}/xenoflow"\nspool_max = "256KiB`, http: `listen = "127.0.0.1:${http}"` });
    rmSync(join(failDir, "spool"), { recursive: true, force: true });
    const send = (count: number) => Bun.spawnSync([BUN, MAIN, "gen", "--to", `127.0.0.1:${c!.port}`, "--count", String(count), "--fps", "2000", "--hosts-src", "20000", "--version", "9"]);
    expect(send(8000).exitCode).toBe(0);
    await c.waitForLog(/error store: spool_error /, 10_000);
    expect(send(2000).exitCode).toBe(0);
    await Bun.sleep(1500);
    const m = (await scrape(`http://127.0.0.1:${http}/`)).samples;
    expect(m.get("xenoflow_decoded_flows_total")).toBe(10_000);
    expect(c.logs.some((l) => /error store: spool_error error=.*ENOENT/.test(l))).toBe(true);
    expect(await c.stop()).toBe(0);
  },
  60_000,
);
