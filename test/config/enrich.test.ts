import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors.ts";
import { tree } from "./tmp.ts";

function issuesOf(file: string): string[] {
  try {
    loadConfig(file, { env: {} });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n");
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("[enrich], [[network]], [[exporter.interface]]", () => {
  test("defaults: nothing configured", () => {
    const dir = tree({ "x.toml": "" });
    const c = loadConfig(join(dir, "x.toml"), { env: {} });
    expect(c.enrich).toEqual({ country: null, asn: null, asSource: "auto", networks: null, inlineNetworks: 0 });
    expect(c.networks).toEqual([]);
  });

  test("paths from the config directory; CSV rows after [[network]]; exporter interfaces and SNMP", () => {
    const dir = tree({
      "x.toml": `
[enrich]
country = "geo/country.mmdb"
asn = "/srv/asn.mmdb"
as_source = "database"
networks = "nets.csv"

[[network]]
prefix = "203.0.113.0/24"
name = "customer_a"
role = "customer"

[[exporter]]
address = "192.0.2.1"
name = "edge-1"
snmp_community_file = "secrets/edge-1"
snmp_every = "5m"
skip_unmarked = true

  [[exporter.interface]]
  index = 7
  name = "xe-0/0/1"
  description = "transit A"
  role = "external"
  speed = "10G"

  [[exporter.interface]]
  index = 8
`,
      "nets.csv": "prefix,name,role\n# ours\n10.0.0.0/8,core,\n2001:db8::/32, lab , lab\n\n",
      "secrets/edge-1": "s3cret\n",
    });
    const c = loadConfig(join(dir, "x.toml"), { env: {} });
    expect(c.enrich).toEqual({
      country: join(dir, "geo/country.mmdb"),
      asn: "/srv/asn.mmdb",
      asSource: "database",
      networks: join(dir, "nets.csv"),
      inlineNetworks: 1,
    });
    expect(c.networks.map((n) => [n.prefix.text, n.name, n.role])).toEqual([
      ["203.0.113.0/24", "customer_a", "customer"],
      ["10.0.0.0/8", "core", ""],
      ["2001:db8::/32", "lab", "lab"],
    ]);
    const e = c.exporters[0]!;
    expect([e.snmpCommunity, e.snmpEvery, e.skipUnmarked]).toEqual(["s3cret", 300, true]);
    expect(e.interfaces).toEqual([
      { index: 7, name: "xe-0/0/1", description: "transit A", role: "external", speed: 10e9 },
      { index: 8, name: "", description: "", role: "", speed: 0 },
    ]);
  });

  test("every mistake located, in the TOML and in the CSV", () => {
    const dir = tree({
      "x.toml": `[enrich]
as_source = "bgp"
networks = "nets.csv"
colour = 1

[[network]]
prefix = "10.0.0.1/8"
name = "has space"
role = "Customer"

[[exporter]]
address = "192.0.2.1"
name = "e"
snmp_every = "1m"
skip_unmarked = true
  [[exporter.interface]]
  index = 0
  speed = "fast"
`,
      "nets.csv": "10.1.0.0/16,ok,\n10.2.0.0/16\nnot-a-prefix,x,\n10.3.0.0/16,bad name,\n10.4.0.0/16,n,Role\n10.1.0.0/16,dup,\n",
    });
    const f = join(dir, "x.toml");
    const csv = join(dir, "nets.csv");
    expect(issuesOf(f)).toEqual([
      `${f}:2:13: \`as_source\`: expected one of "auto", "exporter", "database", found string "bgp"`,
      `${f}:4:1: unknown key \`colour\``,
      `${f}:7:10: \`prefix\`: host bits set in "10.0.0.1/8" (did you mean "10.0.0.0/8"?)`,
      `${f}:8:8: \`name\`: invalid network name "has space": use letters, digits, _, . and -`,
      `${f}:9:8: \`role\`: invalid name "Customer": use lower-case letters, digits and _, starting with a letter`,
      `${f}:14:14: \`snmp_every\`: set \`snmp_community_file\` too, or remove it`,
      `${f}:15:17: \`skip_unmarked\`: no [[exporter.interface]] of this exporter has a \`role\`, so every flow would be dropped`,
      `${f}:17:11: \`index\`: must be 1..4294967295, found 0`,
      `${f}:18:11: \`speed\`: expected a speed like "100M", "10G" or bits per second, found string "fast"`,
      `${csv}:2:1: expected prefix,name,role, found 1 field`,
      `${csv}:3:1: expected an address or CIDR like "192.0.2.0/24", found "not-a-prefix"`,
      `${csv}:4:13: invalid network name "bad name": use letters, digits, _, . and -`,
      `${csv}:5:15: invalid role "Role": use lower-case letters, digits and _, starting with a letter`,
      `${csv}:6:1: duplicate network 10.1.0.0/16`,
    ]);
  });
});
