import { describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { tree } from "../config/tmp.ts";

const root = resolve(import.meta.dir, "../..");

async function check(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, "src/main.ts", "check", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("xenoflow check", () => {
  test("the shipped config: summary on stdout, exit 0", async () => {
    const r = await check(["-c", "config/xenoflow.toml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      `ok ${root}/config/xenoflow.toml`,
      `data_dir   ${root}/var`,
      "collector  0.0.0.0:2055, 0.0.0.0:4739, 0.0.0.0:6343 udp, 1 worker(s), recv_buffer 16MiB",
      "           allow any exporter",
      `storage    sqlite:${root}/var/xenoflow.sqlite, retention 30d, spool_max 512MiB`,
      "http       127.0.0.1:9655",
      "alerts     script_timeout 30s, script_concurrency 4",
      "monitoring objects (2):",
      "  all  filter: (every flow)",
      "      window proto every 30s key [proto] values [octets, packets, flows] -> table all_proto",
      "      window talkers every 5m key [src host, dst host] values [octets, packets] top 100 -> table all_talkers",
      "      mavg dst_rate over 5s key [dst host] values [bits, packets] max_keys 100000",
      "    web  filter: proto tcp and (dst port 80 or dst port 443)",
      "        window servers every 1m key [dst host, dst port] values [octets, packets, flows] top 50 -> table web_servers",
      "",
    ]);
  });

  test("limits with thresholds and scripts appear under their average", async () => {
    const r = await check(["--config", "config/examples/isp-edge.toml"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const at = lines.indexOf("              limit amp: bits > 500M/s, packets > 100k/s, per-key " +
      `${root}/config/examples/limits/dns-amp.csv; normal after 2m`);
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      `                  on_exceed ${root}/config/scripts/rtbh.sh`,
      `                  on_normal ${root}/config/scripts/rtbh.sh`,
      "                  enables inbound_dns/reflectors",
    ]);
  });

  test("enrichment: databases, networks and each exporter's SNMP, interfaces and skip_unmarked", async () => {
    const dir = tree({
      "x.toml": `[enrich]\ncountry = "/geo/c.mmdb"\nnetworks = "n.csv"\n[[network]]\nprefix = "10.0.0.0/8"\nname = "a"\n` +
        `[[exporter]]\naddress = "192.0.2.1"\nname = "e"\nsnmp_community_file = "c"\nskip_unmarked = true\n  [[exporter.interface]]\n  index = 1\n  role = "up"\n`,
      "n.csv": "10.1.0.0/16,a,\n10.2.0.0/16,b,\n",
      c: "public\n",
    });
    const r = await check(["-c", join(dir, "x.toml")]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => /^(enrich|networks|exporter) /.test(l))).toEqual([
      "enrich     country /geo/c.mmdb, asn -, as_source auto",
      `networks   3 prefixes, 2 names (with ${dir}/n.csv)`,
      "exporter   192.0.2.1 e, snmp every 10m, 1 interface(s), skip_unmarked",
    ]);
  });

  test("XENOFLOW_CONFIG is used without -c; XENOFLOW_DB_URL shows in the summary, password hidden", async () => {
    const dir = tree({ "x.toml": `data_dir = "/srv/x"\n` });
    const r = await check([], { XENOFLOW_CONFIG: join(dir, "x.toml"), XENOFLOW_DB_URL: "postgres://u:pw@127.0.0.1:5432/test" });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([`ok ${dir}/x.toml`, "data_dir   /srv/x"]);
    expect(r.stdout).toContain("storage    postgres://u:***@127.0.0.1:5432/test, retention 30d");
  });

  test("a bad config: one line per error on stderr, exit 1", async () => {
    const dir = tree({ "bad.toml": `[collector]\nworkrs = 2\nlisten = ["0.0.0.0:70000"]\n[[mo]]\nname = "web"\nparent = "al"\n` });
    const f = join(dir, "bad.toml");
    const r = await check(["-c", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      `${f}:2:1: unknown key \`workrs\` (did you mean \`workers\`?)`,
      `${f}:3:11: \`listen\`: port must be 1..65535, found 70000 in "0.0.0.0:70000"`,
      `${f}:6:10: \`parent\`: no mo named "al"`,
      "",
    ]);
  });

  test("a missing file: exit 1", async () => {
    const r = await check(["-c", "/nonexistent/xenoflow.toml"]);
    expect([r.code, r.stderr]).toEqual([1, "/nonexistent/xenoflow.toml: cannot read the configuration: no such file\n"]);
  });

  test("--help describes -c", async () => {
    const r = await check(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("USAGE xenoflow check [OPTIONS]");
    expect(r.stdout).toContain("-c, --config=<config>");
  });
});
