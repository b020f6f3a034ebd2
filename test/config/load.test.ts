import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { configPath, defaultConfigPath, loadConfig } from "../../src/config/load.ts";
import { defaultCollectorName } from "../../src/config/sections.ts";
import type { Config } from "../../src/config/types.ts";
import { tree } from "./tmp.ts";

const root = resolve(import.meta.dir, "../..");

function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n");
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("shipped configs", () => {
  test("config/xenoflow.toml: sqlite under var/, two objects, no scripts", () => {
    const c = loadConfig(join(root, "config/xenoflow.toml"), { env: {} });
    expect(c.dataDir).toBe(join(root, "var"));
    expect(c.storage).toEqual({
      url: `sqlite:${join(root, "var/xenoflow.sqlite")}`,
      kind: "sqlite",
      retention: 30 * 86400,
      spoolMax: 512 * 2 ** 20,
      partition: 0,
      collector: defaultCollectorName(),
      interfaceCounters: 60,
    });
    expect(c.mos.map((m) => [m.name, m.parent])).toEqual([
      ["all", null],
      ["web", "all"],
    ]);
    expect(c.mos.flatMap((m) => m.mavgs.flatMap((a) => a.limits))).toEqual([]);
  });

  test("config/examples/isp-edge.toml: nested objects, scripts and a limits file", () => {
    const c = loadConfig(join(root, "config/examples/isp-edge.toml"), { env: {} });
    expect(c.storage.kind).toBe("postgres");
    expect(c.mos.map((m) => `${m.parent ?? "-"}>${m.name}`)).toEqual([
      "->all",
      "all>customers",
      "customers>acme",
      "customers>globex",
      "customers>inbound_dns",
      "customers>inbound_ntp",
    ]);
    const amp = c.mos[4]?.mavgs[0]?.limits[0];
    expect(amp).toEqual({
      name: "amp",
      thresholds: { bits: 500e6, packets: 100000 },
      file: join(root, "config/examples/limits/dns-amp.csv"),
      onExceed: join(root, "config/scripts/rtbh.sh"),
      onNormal: join(root, "config/scripts/rtbh.sh"),
      normalAfter: 120,
      enable: ["inbound_dns/reflectors"],
      below: false,
    });
    expect(c.exporters.map((e) => [e.address.text, e.name, e.samplingRate])).toEqual([
      ["192.0.2.1", "border-1", 1000],
      ["2001:db8:ffff::2", "border-2", null],
    ]);
  });

  test("config/examples/bench.toml is exactly the issue 6 benchmark", () => {
    const c = loadConfig(join(root, "config/examples/bench.toml"), { env: {} });
    const shape = c.mos.map((m) => ({
      filter: m.filter,
      windows: m.windows.map((w) => [w.every, w.key, w.values]),
      mavgs: m.mavgs.map((a) => [a.window, a.key, a.values]),
    }));
    expect(shape).toEqual([
      {
        filter: "net 10.0.0.0/8",
        windows: [[30, ["src host", "dst host"], ["octets", "packets"]]],
        mavgs: [[5, ["dst host"], ["octets", "packets"]]],
      },
      {
        filter: "dst port 80 or dst port 443",
        windows: [[30, ["dst host", "dst port"], ["octets", "packets"]]],
        mavgs: [[5, ["dst host"], ["octets", "packets"]]],
      },
    ]);
  });
});

describe("defaults", () => {
  test("a minimal config is filled in whole and deep-frozen", () => {
    const dir = tree({
      "x.toml": `
[[mo]]
name = "all"
  [[mo.window]]
  name = "proto"
  every = "30s"
  key = ["proto"]
  values = ["octets", "packets"]
  [[mo.mavg]]
  name = "rate"
  window = "5s"
  key = ["dst host"]
    [[mo.mavg.limit]]
    name = "flood"
    bits = 1e9
`,
    });
    const c = loadConfig(join(dir, "x.toml"), { env: {} });
    const expected: Config = {
      file: join(dir, "x.toml"),
      dataDir: join(dir, "var"),
      collector: {
        name: defaultCollectorName(),
        listen: [
          { host: "0.0.0.0", port: 2055 },
          { host: "0.0.0.0", port: 4739 },
        ],
        workers: 1,
        recvBuffer: 16777216,
        allow: [],
        templatesPerExporter: 1024,
        templatesTotal: 65536,
        pendingBytesPerExporter: 1048576,
        pendingSeconds: 30,
        pendingBytesTotal: 64 * 1048576,
        optionsPerExporter: 1024,
        optionsTotal: 65536,
      },
      storage: { url: `sqlite:${dir}/var/xenoflow.sqlite`, kind: "sqlite", retention: 2592000, spoolMax: 536870912, partition: 0, collector: defaultCollectorName(), interfaceCounters: 60 },
      http: { listen: { host: "127.0.0.1", port: 9655 }, token: null },
      alerts: { scriptTimeout: 30, scriptConcurrency: 4 },
      debug: { dumpFlows: "" },
      enrich: { country: null, asn: null, asSource: "auto", networks: null, inlineNetworks: 0 },
      networks: [],
      fields: [],
      exporters: [],
      mos: [
        {
          name: "all",
          parent: null,
          filter: "",
          windows: [{ name: "proto", every: 30, key: ["proto"], values: ["octets", "packets"], top: 0, extended: false }],
          mavgs: [
            {
              name: "rate",
              window: 5,
              key: ["dst host"],
              values: ["bits", "packets"],
              maxKeys: 100000,
              limits: [
                {
                  name: "flood",
                  thresholds: { bits: 1e9 },
                  file: null,
                  onExceed: null,
                  onNormal: null,
                  normalAfter: 30,
                  enable: [],
                  below: false,
                },
              ],
            },
          ],
        },
      ],
    };
    expect(c).toEqual(expected);
    expect(Object.isFrozen(c.mos[0]?.mavgs[0]?.limits[0]?.thresholds)).toBe(true);
    expect(() => {
      (c.collector.listen as { host: string; port: number }[]).push({ host: "x", port: 1 });
    }).toThrow(TypeError);
  });

  test("sizes, durations, IPv6 and secrets from files", () => {
    const dir = tree({
      "token": "s3cret\n",
      "db.pw": "p@ss word\n",
      "x.toml": `
data_dir = "/srv/flows"
[collector]
listen = ["[::]:4739", "localhost:2055"]
recv_buffer = 65536
allow = ["2001:DB8:0:0::/32", "192.0.2.7"]
pending_bytes = "64KB"
pending_time = "500ms"
[storage]
url = "postgres://flow@db.example:5432/flows"
password_file = "db.pw"
[http]
listen = "0.0.0.0:9655"
token_file = "token"
[debug]
dump_flows = "flows.jsonl"
`,
    });
    const c = loadConfig(join(dir, "x.toml"), { env: {} });
    expect(c.dataDir).toBe("/srv/flows");
    expect(c.collector.listen).toEqual([
      { host: "::", port: 4739 },
      { host: "localhost", port: 2055 },
    ]);
    expect(c.collector.recvBuffer).toBe(65536);
    expect(c.collector.allow).toEqual([
      { family: 6, words: [0x20010db8, 0, 0, 0], bits: 32, text: "2001:db8::/32" },
      { family: 4, words: [0xc0000207, 0, 0, 0], bits: 32, text: "192.0.2.7" },
    ]);
    expect(c.collector.pendingBytesPerExporter).toBe(64000);
    expect(c.collector.pendingSeconds).toBe(0.5);
    expect(c.storage.url).toBe("postgres://flow:p%40ss%20word@db.example:5432/flows");
    expect(c.http).toEqual({ listen: { host: "0.0.0.0", port: 9655 }, token: "s3cret" });
    expect(c.debug.dumpFlows).toBe(join(dir, "flows.jsonl"));
  });
});

describe("environment", () => {
  test("XENOFLOW_DB_URL replaces storage.url; password_file fills its password", () => {
    const dir = tree({ "pw": "hunter2", "x.toml": `[storage]\nurl = "sqlite:a.db"\n` });
    const file = join(dir, "x.toml");
    expect(loadConfig(file, { env: {} }).storage.url).toBe(`sqlite:${dir}/a.db`);
    const c = loadConfig(file, { env: { XENOFLOW_DB_URL: "postgres://u@127.0.0.1:5432/test" } });
    expect([c.storage.url, c.storage.kind]).toEqual(["postgres://u@127.0.0.1:5432/test", "postgres"]);
    writeFileSync(file, `[storage]\npassword_file = "pw"\n`);
    expect(loadConfig(file, { env: { XENOFLOW_DB_URL: "postgres://u@h/db" } }).storage.url).toBe("postgres://u:hunter2@h/db");
  });

  test("a bad XENOFLOW_DB_URL is reported as coming from the environment", () => {
    const dir = tree({ "x.toml": "" });
    expect(issuesOf(() => loadConfig(join(dir, "x.toml"), { env: { XENOFLOW_DB_URL: "mysql://h/db" } }))).toEqual([
      'XENOFLOW_DB_URL (environment): expected "sqlite:PATH", "postgres://user@host:5432/db" or "clickhouse://user@host:8123/db", found "mysql://h/db"',
    ]);
  });

  test("[collector] name: the fleet name, defaulting to the short host name; host-name characters only", () => {
    const dir = tree({ "ok.toml": `[collector]\nname = "pop-1.fra"\n`, "bad.toml": `[collector]\nname = "pop 1'"\n` });
    const c = loadConfig(join(dir, "ok.toml"), { env: {} });
    expect([c.collector.name, c.storage.collector]).toEqual(["pop-1.fra", "pop-1.fra"]);
    expect(issuesOf(() => loadConfig(join(dir, "bad.toml"), { env: {} }))).toEqual([
      `${join(dir, "bad.toml")}:2:8: \`name\`: invalid collector name "pop 1'": use letters, digits, ".", "_" and "-" (at most 63), starting with a letter or digit`,
    ]);
    expect([defaultCollectorName("edge7.example.net"), defaultCollectorName("-x"), defaultCollectorName("")]).toEqual(["edge7", "xenoflow", "xenoflow"]);
  });

  test("[storage] partition: whole days, for postgres or clickhouse", () => {
    const dir = tree({
      "pg.toml": `[storage]\nurl = "postgres://u@h/db"\npartition = "7d"\n`,
      "off.toml": `[storage]\nurl = "postgres://u@h/db"\npartition = ""\n`,
      "hours.toml": `[storage]\nurl = "postgres://u@h/db"\npartition = "36h"\n`,
      "lite.toml": `[storage]\npartition = "1d"\n`,
    });
    expect(loadConfig(join(dir, "pg.toml"), { env: {} }).storage.partition).toBe(7 * 86400);
    expect(loadConfig(join(dir, "off.toml"), { env: {} }).storage.partition).toBe(0);
    expect(issuesOf(() => loadConfig(join(dir, "hours.toml"), { env: {} }))).toEqual([`${join(dir, "hours.toml")}:3:13: \`partition\`: must be a whole number of days, such as "1d" or "7d"`]);
    expect(issuesOf(() => loadConfig(join(dir, "lite.toml"), { env: {} }))).toEqual([`${join(dir, "lite.toml")}:2:13: \`partition\`: applies to a postgres or clickhouse url`]);
  });

  test("config path: -c, then XENOFLOW_CONFIG, then the checkout's file, then /etc", () => {
    expect(configPath("a.toml", { XENOFLOW_CONFIG: "b.toml" })).toBe("a.toml");
    expect(configPath(undefined, { XENOFLOW_CONFIG: "b.toml" })).toBe("b.toml");
    expect(defaultConfigPath(root)).toBe(join(root, "config/xenoflow.toml"));
    expect(defaultConfigPath(tree({}))).toBe("/etc/xenoflow/xenoflow.toml");
  });
});

describe("include", () => {
  test("objects and fields from sorted globs, parents first", () => {
    const c = loadConfig(join(root, "test/fixtures/config/include/main.toml"), { env: {} });
    expect(c.fields).toEqual([{ name: "vrf", pen: 0, element: 234, type: "uint" }]);
    expect(c.mos.map((m) => [m.name, m.parent, m.filter])).toEqual([
      ["all", null, ""],
      ["web_or_dns", "all", "port 80 or port 53"],
      ["dns", "web_or_dns", "udp and port 53"],
    ]);
    expect(c.http.listen).toBeNull();
  });

  test("errors in an included file name that file, line and column", () => {
    const dir = tree({
      "main.toml": `include = ["mo.d/*.toml", "more.toml"]\n[[mo]]\nname = "all"\n`,
      "mo.d/a.toml": `[[mo]]\nname = "a"\nparent = "al"\n  [[mo.window]]\n  name = "w"\n  every = "5x"\n  values = ["octets"]\n`,
      "mo.d/b.toml": `[collector]\nworkers = 2\n[[mo]]\nname = "all"\n`,
    });
    expect(issuesOf(() => loadConfig(join(dir, "main.toml"), { env: {} }))).toEqual([
      `${dir}/main.toml:1:27: \`include\`: no such file: ${dir}/more.toml`,
      `${dir}/mo.d/a.toml:3:10: \`parent\`: no mo named "al" (did you mean \`all\`?)`,
      `${dir}/mo.d/a.toml:6:11: \`every\`: expected a duration like "500ms", "30s", "5m", "1h" or "30d", found string "5x"`,
      `${dir}/mo.d/b.toml:1:2: unknown key \`collector\``,
      `${dir}/mo.d/b.toml:4:8: \`name\`: duplicate mo name "all"`,
    ]);
  });

  test("a syntax error in an included file is located in it", () => {
    const dir = tree({ "main.toml": `include = ["inc.toml"]\n`, "inc.toml": `[[mo]]\nname = "x\n` });
    const lines = issuesOf(() => loadConfig(join(dir, "main.toml"), { env: {} }));
    expect(lines).toEqual([`${dir}/inc.toml:2:8: unterminated string in the value of \`name\``]);
  });
});

describe("unreadable", () => {
  test("a missing main file is one located error", () => {
    expect(issuesOf(() => loadConfig("/nonexistent/x.toml", { env: {} }))).toEqual([
      "/nonexistent/x.toml: cannot read the configuration: no such file",
    ]);
  });
});
