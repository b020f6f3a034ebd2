// SIGHUP (systemctl reload): a changed threshold takes effect without losing window counts; a
// broken config changes nothing but a log line.
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";

const running: RunningCollector[] = [];
afterAll(() => {
  for (const c of running) {
    c.cleanup();
    rmSync(c.dir, { recursive: true, force: true });
  }
});

function body(bits: string): string {
  return `
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "dst"
  every = "1h"
  key = ["dst host"]
  values = ["flows", "packets"]
  [[mo.mavg]]
  name = "rate"
  window = "1s"
  key = ["dst host"]
  values = ["bits"]
    [[mo.mavg.limit]]
    name = "flood"
    bits = ${bits}
    on_exceed = "\${DIR}/exceed.sh"
`;
}

async function gen(port: number, count: number): Promise<void> {
  const p = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", String(count), "--fps", "20000", "--version", "9", "--hosts-dst", "1"], {
    stdout: "ignore",
    stderr: "inherit",
  });
  expect(await p.exited).toBe(0);
}

function flowsIn(dir: string): number {
  const db = new Database(join(dir, "xf.sqlite"), { readonly: true });
  try {
    return (db.query("SELECT sum(flows) AS n FROM all_dst").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("reload on SIGHUP", () => {
  test("a lowered threshold fires after reload; a broken config is rejected; no window count is lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xf-reload-"));
    const marker = join(dir, "fired");
    writeFileSync(join(dir, "exceed.sh"), `#!/bin/sh\necho "$@" > ${marker}\n`);
    chmodSync(join(dir, "exceed.sh"), 0o755);
    const c = await startCollector(body("1e15"), { dir });
    running.push(c);

    await gen(c.port, 2900);
    await Bun.sleep(1500);
    expect(existsSync(marker)).toBe(false);

    // A broken config: rejected with the reason, the collector keeps counting.
    const good = readFileSync(c.config, "utf8");
    writeFileSync(c.config, `${good}\n[[mo]]\nname = "bad"\nfilter = "dst prot 80"\n`);
    c.signal("SIGHUP");
    const rejected = await c.waitForLog(/SIGHUP: reload of .* rejected/);
    expect(rejected).toContain('unknown field "prot"');

    // The threshold lowered: the next burst fires the script.
    writeFileSync(c.config, good.replace("bits = 1e15", "bits = 1000"));
    c.signal("SIGHUP");
    await c.waitForLog(/SIGHUP: reloaded/);
    await gen(c.port, 2900);
    for (let i = 0; i < 40 && !existsSync(marker); i++) await Bun.sleep(100);
    expect(readFileSync(marker, "utf8")).toMatch(/^exceed all rate flood \d+\.\d+\.\d+\.\d+ \d+(\.\d+)? 1000\n$/);

    // A new monitoring object: the unchanged window keeps counting where it was.
    writeFileSync(c.config, `${good.replace("bits = 1e15", "bits = 1000")}\n[[mo]]\nname = "tcp"\nfilter = "proto tcp"\n  [[mo.window]]\n  name = "dst"\n  every = "1h"\n  key = ["dst host"]\n  values = ["flows"]\n`);
    c.signal("SIGHUP");
    expect(await c.waitForLog(/SIGHUP: reloaded/, 10_000, 2)).toContain("1 windows kept, 1 new, 0 ended");
    await gen(c.port, 2900);

    expect(await c.stop()).toBe(0);
    expect(flowsIn(c.dir)).toBe(8700);
    const db = new Database(join(c.dir, "xf.sqlite"), { readonly: true });
    const tcp = (db.query("SELECT sum(flows) AS n FROM tcp_dst").get() as { n: number }).n;
    db.close();
    expect(tcp).toBeGreaterThan(0);
    expect(tcp).toBeLessThan(2900);
  }, 30_000);
});
