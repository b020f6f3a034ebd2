import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { asn, country, mmdblookup, tempDir, writeMmdb } from "../enrich/mmdb-fixtures.ts";

const root = resolve(import.meta.dir, "../..");
const tmp = tempDir();
afterAll(() => tmp.remove());

async function lookup(args: string[]) {
  const proc = Bun.spawn([process.execPath, "src/main.ts", "lookup", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("xenoflow lookup", () => {
  const countryFile = join(tmp.dir, "country.mmdb");
  const asnFile = join(tmp.dir, "asn.mmdb");
  writeMmdb(countryFile, "GeoLite2-Country", { "1.1.1.0/24": country("AU"), "2606:4700::/32": country("US"), "203.0.113.0/24": country("NZ") });
  writeMmdb(asnFile, "GeoLite2-ASN", { "1.1.1.0/24": asn(13335, "Cloudflare, Inc."), "2606:4700::/32": asn(13335, "Cloudflare, Inc.") });
  const file = join(tmp.dir, "x.toml");
  writeFileSync(file, `[enrich]\ncountry = "country.mmdb"\nasn = "asn.mmdb"\n\n[[network]]\nprefix = "203.0.113.0/24"\nname = "customer_a"\nrole = "customer"\n`);
  const ADDRS = ["1.1.1.1", "2606:4700::1111", "::ffff:1.1.1.1", "203.0.113.9", "192.0.2.1"];

  test("--json agrees with mmdblookup and the config", async () => {
    const r = await lookup(["-c", file, "--json", ...ADDRS]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const got = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(got).toEqual(
      ADDRS.map((a) => ({
        address: a,
        country: mmdblookup(countryFile, a, "country", "iso_code"),
        as: mmdblookup(asnFile, a, "autonomous_system_number"),
        as_name: mmdblookup(asnFile, a, "autonomous_system_organization"),
        network: a === "203.0.113.9" ? "customer_a" : null,
        role: a === "203.0.113.9" ? "customer" : null,
      })),
    );
    expect(got[2].country).toBe("AU");
  });

  test("one line each; a bad address or a config without enrichment is exit 1", async () => {
    const r = await lookup(["-c", file, "1.1.1.1", "203.0.113.9"]);
    expect(r.stdout.split("\n")).toEqual([
      "1.1.1.1  country AU  as 13335 Cloudflare, Inc.  network -",
      "203.0.113.9  country NZ  as -  network customer_a (role customer)",
      "",
    ]);
    const bad = await lookup(["-c", file, "1.1.1.1", "nope"]);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([1, "", 'error: not an IPv4 or IPv6 address: "nope" (see xenoflow lookup --help)\n']);
    const bare = join(tmp.dir, "bare.toml");
    writeFileSync(bare, "");
    const none = await lookup(["-c", bare, "1.1.1.1"]);
    expect([none.code, none.stderr]).toEqual([1, `error: ${bare} configures no enrichment: set [enrich] country/asn/networks or [[network]]\n`]);
  });
});
