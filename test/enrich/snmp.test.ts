// SNMP interface names from a real snmpd on loopback (its interfaces are this machine's, read
// from /sys/class/net; ifAlias and ifHighSpeed of lo set by `override`), one agent that never
// answers, and the disk cache that keeps names across a restart with the agent down.
import { afterAll, describe, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { createSnmpPoller, mergedInterfaces, snmpCacheFile } from "../../src/enrich/snmp.ts";
import { createLogger } from "../../src/log.ts";
import { tempDir } from "./mmdb-fixtures.ts";

const SNMPD = "/usr/sbin/snmpd";
const tmp = tempDir();
let agent: ReturnType<typeof Bun.spawn> | null = null;
afterAll(() => {
  agent?.kill();
  tmp.remove();
});

async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const port = s.address().port;
  s.close();
  return port;
}

async function startAgent(port: number): Promise<ReturnType<typeof Bun.spawn>> {
  const conf = join(tmp.dir, "snmpd.conf");
  writeFileSync(
    conf,
    [
      "rocommunity s3cret 127.0.0.1",
      'override 1.3.6.1.2.1.31.1.1.1.18.1 octet_str "loopback uplink"',
      "override 1.3.6.1.2.1.31.1.1.1.15.1 uinteger 40000",
      "",
    ].join("\n"),
  );
  const p = Bun.spawn([SNMPD, "-f", "-C", "-c", conf, "-Lf", join(tmp.dir, "snmpd.log"), `udp:127.0.0.1:${port}`], {
    env: { PATH: process.env.PATH ?? "", MIBDIRS: "/nonexistent", MIBS: "", SNMP_PERSISTENT_DIR: join(tmp.dir, "persist") },
    stdout: "ignore",
    stderr: "ignore",
  });
  // Ready once it logs that it is up (NET-SNMP version line) or answers; wait at most 5 s.
  for (let k = 0; k < 100; k++) {
    await Bun.sleep(50);
    if (existsSync(join(tmp.dir, "snmpd.log")) && readFileSync(join(tmp.dir, "snmpd.log"), "utf8").includes("NET-SNMP version")) break;
  }
  return p;
}

/** ifIndex -> name of this machine's interfaces, as the kernel (and so snmpd) numbers them. */
function kernelInterfaces(): Map<number, string> {
  return new Map(readdirSync("/sys/class/net").map((n) => [Number(readFileSync(`/sys/class/net/${n}/ifindex`, "utf8")), n]));
}

describe.skipIf(!existsSync(SNMPD))("snmp interface names", () => {
  test("polled from snmpd, a dead agent fails alone, names survive a restart with the agent down", async () => {
    const port = await freePort();
    writeFileSync(join(tmp.dir, "community"), "s3cret\n");
    const file = join(tmp.dir, "x.toml");
    writeFileSync(
      file,
      `data_dir = "var"
[[exporter]]
address = "127.0.0.1"
name = "live"
snmp_community_file = "community"
  [[exporter.interface]]
  index = 1
  name = "static-lo"
  role = "uplink"
[[exporter]]
address = "127.0.0.2"
name = "dead"
snmp_community_file = "community"
`,
    );
    const config = loadConfig(file, { env: {} });
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), journal: false, isTTY: false });
    agent = await startAgent(port);
    const changed: string[] = [];
    const poller = createSnmpPoller(config.exporters, { dataDir: config.dataDir, log, port, timeoutMs: 300, onChange: (e) => changed.push(e) })!;
    await poller.pollAll();

    const want = new Map([...kernelInterfaces()].map(([k, name]) => [k, { name, description: k === 1 ? "loopback uplink" : "", speed: k === 1 ? 40e9 : 0 }]));
    const live = poller.interfaces("127.0.0.1");
    expect(new Map([...live].map(([k, v]) => [k, { ...v, speed: k === 1 ? v.speed : 0 }]))).toEqual(want);
    expect(live.get(1)).toEqual({ name: "lo", description: "loopback uplink", speed: 40e9 });
    expect(poller.interfaces("127.0.0.2").size).toBe(0);
    expect(poller.counters).toEqual({ polls: 2, failures: 1 });
    expect(changed).toEqual(["127.0.0.1"]);
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain("snmp: dead (127.0.0.2)");
    expect(existsSync(snmpCacheFile(config.dataDir))).toBe(true);

    const merged = mergedInterfaces(config.exporters[0]!, live);
    expect(merged.get(1)).toEqual({ name: "static-lo", description: "loopback uplink", speed: 40e9, role: "uplink" });

    // Same answers again: nothing changed, the file is not rewritten.
    await poller.pollAll();
    expect(changed).toEqual(["127.0.0.1"]);
    poller.close();

    agent.kill();
    await agent.exited;
    agent = null;
    const restarted = createSnmpPoller(config.exporters, { dataDir: config.dataDir, log, port, timeoutMs: 300 })!;
    expect(restarted.interfaces("127.0.0.1")).toEqual(live);
    await restarted.pollAll();
    expect(restarted.counters).toEqual({ polls: 2, failures: 2 });
    expect(restarted.interfaces("127.0.0.1")).toEqual(live);
    expect(lines.some((l) => l.includes("snmp: live (127.0.0.1)") && l.includes(`keeping ${live.size} known interfaces`))).toBe(true);
    restarted.close();
  });
});
