import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, renameSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AS_WHEN_ZERO, SLOT_ASN, SLOT_COUNTRY, SLOT_EXTRA, createGeo } from "../../src/enrich/geo.ts";
import { countryCode, countryText } from "../../src/enrich/records.ts";
import type { Cidr } from "../../src/config/types.ts";
import { buildPrefixTable } from "../../src/enrich/networks.ts";
import { openMmdb } from "../../src/enrich/mmdb.ts";
import { createLogger } from "../../src/log.ts";
import { parseAddressWords, parseCidr } from "../../src/net/address.ts";
import { asn, country, mmdblookup, tempDir, writeMmdb } from "./mmdb-fixtures.ts";

const tmp = tempDir();
afterAll(() => tmp.remove());

const COUNTRIES = {
  "1.2.3.0/24": country("AU"),
  "1.2.0.0/16": country("CN"),
  "5.6.0.0/16": country("RU"),
  "2001:db8::/32": country("DE"),
  "2001:db8:1::/48": country("NL"),
};
const ASNS = {
  "1.2.3.0/24": asn(13335, "Cloudflare, Inc."),
  "5.6.0.0/16": asn(12389, "Rostelecom"),
  "2001:db8::/32": asn(64500, "Documentation AS"),
};

function words(text: string): { family: number; w: Uint32Array } {
  const w = new Uint32Array(4);
  return { family: parseAddressWords(text, w), w };
}

function quiet() {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(l), isTTY: false, journal: false }) };
}

describe("geo lookups", () => {
  const countryFile = join(tmp.dir, "country.mmdb");
  const asnFile = join(tmp.dir, "asn.mmdb");
  writeMmdb(countryFile, "GeoLite2-Country", COUNTRIES);
  writeMmdb(asnFile, "GeoLite2-ASN", ASNS);

  test("agree with mmdblookup for IPv4, IPv6 and IPv4-mapped addresses; repeats hit the cache", () => {
    const { log } = quiet();
    const cdb = openMmdb(countryFile, log);
    const adb = openMmdb(asnFile, log);
    const geo = createGeo(cdb, adb, 1024);
    const addrs = ["1.2.3.4", "1.2.200.1", "5.6.7.8", "9.9.9.9", "2001:db8::1", "2001:db8:1::5", "2001:db9::1", "::ffff:1.2.3.4", "::ffff:5.6.7.8"];
    const got = addrs.map((a) => {
      const { family, w } = words(a);
      const s = geo.lookup(family, w, 0);
      const asn = geo.table[s + SLOT_ASN]!;
      return [a, countryText(geo.table[s + SLOT_COUNTRY]!), asn || null, geo.asName(asn) ?? null];
    });
    const want = addrs.map((a) => [
      a,
      mmdblookup(countryFile, a, "country", "iso_code"),
      mmdblookup(asnFile, a, "autonomous_system_number"),
      mmdblookup(asnFile, a, "autonomous_system_organization"),
    ]);
    expect(got).toEqual(want);
    expect(got.map((r) => r[1])).toEqual(["AU", "CN", "RU", null, "DE", "NL", null, "AU", "RU"]);
    // ::ffff:1.2.3.4 shares the slot of 1.2.3.4.
    expect(geo.counters).toEqual({ hits: 2, misses: 7, errors: 0 });
    for (const a of addrs) geo.lookup(words(a).family, words(a).w, 0);
    expect(geo.counters).toEqual({ hits: 11, misses: 7, errors: 0 });
    cdb.close();
    adb.close();
  });

  test("a replaced file is used after check(); a truncated, hostile or missing one keeps the old data", async () => {
    const file = join(tmp.dir, "reload.mmdb");
    copyFileSync(countryFile, file);
    const { lines, log } = quiet();
    const db = openMmdb(file, log, 3_600_000);
    const geo = createGeo(db, null, 64);
    const au = () => {
      geo.refresh();
      return countryText(geo.table[geo.lookup(4, words("1.2.3.4").w, 0) + SLOT_COUNTRY]!);
    };
    expect(au()).toBe("AU");

    const next = join(tmp.dir, "next.mmdb");
    writeMmdb(next, "GeoLite2-Country", { "1.2.3.0/24": country("NZ") });
    renameSync(next, file);
    expect(await db.check()).toBe(true);
    expect(au()).toBe("NZ");
    expect(db.generation()).toBe(2);

    const good = readFileSync(file);
    writeFileSync(file, good.subarray(0, good.length >> 1));
    expect(await db.check()).toBe(false);
    writeFileSync(file, Buffer.concat([Buffer.from("\xab\xcd\xefMaxMind.com"), Buffer.alloc(64, 0xff)]));
    expect(await db.check()).toBe(false);
    rmSync(file);
    expect(await db.check()).toBe(false);
    expect(await db.check()).toBe(false); // still missing: no second line
    expect(au()).toBe("NZ");
    expect(db.generation()).toBe(2);
    expect(lines.length).toBe(4);
    expect(lines[0]).toContain(`enrich: reloaded ${file}`);
    expect(lines.slice(1).every((l) => l.includes(file) && l.includes("previous"))).toBe(true);
    expect(lines[3]).toContain("no such file");
    db.close();
  });

  test("a database missing at start gives no data and one line", () => {
    const { lines, log } = quiet();
    const db = openMmdb(join(tmp.dir, "absent.mmdb"), log);
    const geo = createGeo(db, null, 64);
    expect(geo.table[geo.lookup(4, words("1.2.3.4").w, 0) + SLOT_COUNTRY]).toBe(0);
    expect(lines.length).toBe(1);
    db.close();
  });

  test("a /24 or /48 the answers cover takes one slot; a block split by a database or the networks is cached per address", () => {
    const file = join(tmp.dir, "blocks.mmdb");
    writeMmdb(file, "GeoLite2-Country", {
      "7.7.0.0/16": country("BE"),
      "7.7.7.0/25": country("LU"),
      "2001:db8::/32": country("DE"),
      "2001:db8:2:1::/64": country("FR"),
    });
    const { log } = quiet();
    const db = openMmdb(file, log);
    // 8.8.8.0/24 is whole in the database (no data) but split by the networks' 8.8.8.128/26.
    const nets = buildPrefixTable(["8.8.0.0/16", "8.8.8.128/26"].map((t) => parseCidr(t) as Cidr));
    const geo = createGeo(db, null, 1024, nets);
    const ask = (a: string) => {
      const { family, w } = words(a);
      const s = geo.lookup(family, w, 0);
      return [a, countryText(geo.table[s + SLOT_COUNTRY]!), geo.table[s + SLOT_EXTRA]! - 1];
    };
    const addrs = ["7.7.8.1", "7.7.8.2", "7.7.7.1", "7.7.7.200", "7.7.7.2", "8.8.8.1", "8.8.8.130", "8.8.9.1", "2001:db8:2:1::1", "2001:db8:2:2::1", "2001:db8:3::1", "2001:db8:3::2"];
    const got = addrs.map(ask);
    expect(got).toEqual(addrs.map((a) => [a, mmdblookup(file, a, "country", "iso_code"), nets.match(words(a).family, words(a).w, 0)]));
    expect(got.map((r) => r.slice(1).join(" "))).toEqual(["BE -1", "BE -1", "LU -1", "BE -1", "LU -1", " 0", " 1", " 0", "FR -1", "DE -1", "DE -1", "DE -1"]);
    // Misses: 7.7.8.0/24 once; 7.7.7.1, .200, .2 each (a split block); 8.8.8.1 and .130 (split
    // by the networks); 8.8.9.0/24; both addresses of the split 2001:db8:2::/48; 2001:db8:3::/48 once.
    expect(geo.counters).toEqual({ hits: 2, misses: 10, errors: 0 });
    addrs.forEach(ask);
    expect(geo.counters).toEqual({ hits: 14, misses: 10, errors: 0 });
    // resolveAll gives what lookup's slots hold.
    const n = addrs.length;
    const fam = new Uint8Array(n);
    const all = new Uint32Array(n * 4);
    addrs.forEach((a, i) => {
      const { family, w } = words(a);
      fam[i] = family;
      all.set(w, i * 4);
    });
    const [cc, as, ex] = [new Uint16Array(n), new Uint32Array(n).fill(7), new Int32Array(n)];
    geo.resolveAll(fam, all, n, cc, as, AS_WHEN_ZERO, ex);
    expect([...cc].map((x): unknown => countryText(x))).toEqual(got.map((r) => r[1]));
    expect([...ex].map((x): unknown => x - 1)).toEqual(got.map((r) => r[2]));
    expect(new Set(as)).toEqual(new Set([7]));
    db.close();
  });

  test("country codes", () => {
    expect([countryCode("RU"), countryCode("ru"), countryCode("R"), countryCode("R1")]).toEqual([0x5255, 0x5255, 0, 0]);
    expect([countryText(0x5255), countryText(0)]).toEqual(["RU", null]);
  });
});
