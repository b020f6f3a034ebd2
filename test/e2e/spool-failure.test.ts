// A spool that cannot be written (its directory gone, the disk full) loses the exports it cannot
// append, says so in the log, and the collector keeps receiving: a failed append must not end
// the process (Bun exits on an unhandled promise rejection).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";
import { freeTcpPort, scrape } from "../http/support.ts";

const MO = `
[[mo]]
name = "all"
  [[mo.window]]
  name = "hosts"
  every = "1s"
  key = ["src host"]
  values = ["flows"]
`;

const dir = mkdtempSync(join(tmpdir(), "xf-spoolfail-"));
let c: RunningCollector | null = null;
afterAll(() => {
  c?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test(
  "with its spool directory removed, the collector logs spool errors and keeps decoding",
  async () => {
    const dead = await freeTcpPort(); // no database: every export stays in the spool
    const http = await freeTcpPort();
    // 256 KiB of spool: 64 KiB segments, so new segment files are opened within seconds.
    c = await startCollector(MO, { dir, storage: `postgres://xenoflow@127.0.0.1:${dead}/xenoflow"\nspool_max = "256KiB`, http: `listen = "127.0.0.1:${http}"` });
    rmSync(join(dir, "spool"), { recursive: true, force: true });
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
