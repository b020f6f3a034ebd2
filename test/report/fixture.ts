// One small but awkward data set for the report tests, written through the project's own sinks:
// IPv4 and IPv6 keys and prefixes, equal sums (tie-breaks), NULL-key remainder rows, a partially
// NULL key, sums beyond 2^53, MAC and string keys whose byte order differs from a locale's.
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { resolveTarget } from "../../src/report/target.ts";
import type { Sink } from "../../src/store/sink.ts";
import { tree } from "../config/tmp.ts";

export const T0 = 1_700_000_040; // 2023-11-14T22:14:00Z, a whole minute
export const BIG = 2 ** 52; // a row value near the top of exact doubles; four of them pass 2^53

export const CONFIG = `
data_dir = "var"
[storage]
url = "sqlite:var/x.sqlite"
[http]
listen = ""
[[field]]
name = "ifname"
element = 82
type = "string"
[[field]]
name = "smac"
element = 56
type = "mac"
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "talkers"
  every = "1m"
  key = ["src host", "dst port"]
  values = ["octets", "packets"]
  top = 3
  [[mo.window]]
  name = "proto"
  every = "30s"
  key = ["proto", "src as", "dst as"]
  values = ["bits", "flows"]
  [[mo.window]]
  name = "nets"
  every = "1m"
  key = ["src net/24/64"]
  values = ["octets"]
[[mo]]
name = "lan"
filter = ""
  [[mo.window]]
  name = "macs"
  every = "1m"
  key = ["smac", "ifname"]
  values = ["packets", "octets"]
`;

type Cell = string | number | null;

/** Rows per table per window start. */
export const DATA: Record<string, Array<[number, Cell[][]]>> = {
  all_talkers: [
    [T0, [["10.0.0.1", 443, 1_210_000_000, 900_000], ["2001:db8::1", 80, 5000, 10], ["10.0.0.10", 53, 5000, 10], [null, null, 777, 7]]],
    [T0 + 60, [["10.0.0.1", 443, 5, 1], ["10.0.0.2", 443, 5000, 9], ["10.0.0.10", 53, 1, 1], [null, null, 100, 2]]],
    [T0 + 120, [["192.0.2.7", null, 4000, 4], ["10.0.0.2", 22, 1000, 20]]],
    // Outside every range the tests ask for.
    [T0 + 3600, [["10.9.9.9", 1, 999_999_999, 1]]],
  ],
  all_proto: [
    [T0, [[6, 64500, 64501, BIG, 3], [17, 64500, 64502, BIG, 2], [1, null, null, 80, 1]]],
    [T0 + 30, [[6, 64500, 64501, BIG, 3], [17, 64500, 64502, BIG, 1], [6, 64511, 64501, 8, 1]]],
    [T0 + 90, [[47, 64512, 64500, 800, 1], [null, null, null, 8000, 9]]],
  ],
  all_nets: [
    [T0, [["10.0.0.0/24", 300], ["2001:db8::/64", 300], ["10.0.1.0/24", 300], ["192.0.2.0/24", 10]]],
    [T0 + 60, [["10.0.0.0/24", 1], ["fe80::/64", 700]]],
  ],
  lan_macs: [
    [T0, [["aa:bb:cc:00:00:01", "eth0", 10, 1000], ["aa:bb:cc:00:00:01", "Eth0", 10, 1000], ["0a:00:00:00:00:ff", "émoji", 10, 1000], ["aa:bb:cc:00:00:02", "eth0", 10, 1]]],
    [T0 + 60, [["0a:00:00:00:00:ff", "Z-uplink", 5, 5], [null, "eth0", 1, 1]]],
  ],
};

export function loadFixtureConfig(): Config {
  const dir = tree({ "xenoflow.toml": CONFIG });
  return loadConfig(join(dir, "xenoflow.toml"), { expressions: expressionChecker });
}

/** Writes DATA through `sink`, with the window layouts the config gives (as the collector would), every value times `scale`. */
export async function writeData(config: Config, sink: Sink, scale = 1): Promise<void> {
  for (const [table, windows] of Object.entries(DATA)) {
    const [mo, window] = table.split(/_(.*)/s) as [string, string];
    const target = resolveTarget(config, mo, window);
    for (const [time, rows] of windows) {
      const scaled = rows.map((r) => r.map((c, i) => (i >= target.keys.length && typeof c === "number" ? c * scale : c)));
      await sink.write({ mo, window, table, time, keys: target.keys, values: target.values, rows: scaled });
    }
  }
}
