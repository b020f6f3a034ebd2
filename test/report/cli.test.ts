// `xenoflow report` as a user runs it: a real process, the config's SQLite store, exit codes and
// one error line on stderr (DESIGN.md section 2).
import { beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import type { Config } from "../../src/config/types.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { T0, loadFixtureConfig, writeData } from "./fixture.ts";

const ROOT = resolve(import.meta.dir, "../..");
let config: Config;

beforeAll(async () => {
  config = loadFixtureConfig();
  const sink = createSqliteSink(config.storage.url.slice("sqlite:".length));
  await writeData(config, sink);
  await sink.close();
});

async function xenoflow(args: string[]) {
  const proc = Bun.spawn([process.execPath, "src/main.ts", "report", ...args, "-c", config.file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("xenoflow report", () => {
  test("top --csv with ISO and epoch times; ties ranked by key bytes (E before e)", async () => {
    const r = await xenoflow(["top", "--mo", "lan", "--window", "macs", "--from", "2023-11-14T22:14:00Z", "--to", String(T0 + 120), "-n", "3", "--csv"]);
    expect(r).toEqual({
      code: 0,
      stderr: `reading ${config.storage.url}\n`,
      stdout: [
        "row,smac,ifname,packets,octets",
        "1,0a:00:00:00:00:ff,émoji,10,1000",
        "2,aa:bb:cc:00:00:01,Eth0,10,1000",
        "3,aa:bb:cc:00:00:01,eth0,10,1000",
        "other,,,16,7",
        "total,,,46,3007",
        "",
      ].join("\n"),
    });
  });

  test("series as a table", async () => {
    const r = await xenoflow(["series", "--mo", "all", "--window", "nets", "--value", "octets", "--from", String(T0), "--to", String(T0 + 120)]);
    expect(r).toEqual({
      code: 0,
      stderr: `reading ${config.storage.url}\n`,
      stdout: [
        "all_nets  2023-11-14T22:14:00Z .. 2023-11-14T22:16:00Z  octets every 60s",
        "time                  octets  octets/s",
        "2023-11-14T22:14:00Z   910 B  15.2 B/s",
        "2023-11-14T22:15:00Z   701 B  11.7 B/s",
        "",
      ].join("\n"),
    });
  });

  test("a usage error is one line on stderr and exit 1", async () => {
    expect(await xenoflow(["top", "--mo", "all", "--window", "talkers", "--by", "flows", "--last", "1h"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `reading ${config.storage.url}\nerror: --by "flows": window all_talkers has values octets, packets (see xenoflow report top --help)\n`,
    });
    const empty = await xenoflow(["series", "--mo", "all", "--window", "talkers", "--value", "octets", "--last", "1h"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^reading sqlite:\S+\nerror: no rows in all_talkers from \S+Z to \S+Z \(see xenoflow report series --help\)\n$/);
  });
});
