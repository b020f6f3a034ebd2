// The stage on a real batch: a vendor capture decoded as the collector decodes it, enriched from
// a config with both databases, [[network]] + CSV and an exporter's interface roles; every
// column checked against mmdblookup and the config applied by hand.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { countryText } from "../../src/enrich/records.ts";
import { enrichNeeds } from "../../src/enrich/needs.ts";
import { createEnrichStage } from "../../src/enrich/stage.ts";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { createLogger } from "../../src/log.ts";
import { formatV4 } from "../../src/net/address.ts";
import { readCapture } from "../../src/capture/pcap.ts";
import { asn, country, mmdblookup, tempDir, writeMmdb } from "./mmdb-fixtures.ts";

const tmp = tempDir();
afterAll(() => tmp.remove());
const log = createLogger({ write: () => {}, journal: false, isTTY: false });
const PCAP = resolve(import.meta.dir, "../fixtures/vendors/v9-cisco-asr1001x.pcap");

function decoded(): FlowBatch {
  const d = createDecoder({ templatesPerExporter: 64, templatesTotal: 1024, pendingBytesPerExporter: 1 << 20, pendingMs: 60_000 });
  const b = createBatch();
  for (const g of readCapture(readFileSync(PCAP)).datagrams) d.decodeToBatch(g.payload, { addr: g.src, id: 0 }, g.tsMs, b, () => {});
  return b;
}

function config(extra: string) {
  const file = join(tmp.dir, "x.toml");
  writeFileSync(file, `data_dir = "${tmp.dir}"\n${extra}`);
  return loadConfig(file, { env: {} });
}

describe("enrich stage", () => {
  const countryFile = join(tmp.dir, "country.mmdb");
  const asnFile = join(tmp.dir, "asn.mmdb");
  writeMmdb(countryFile, "DBIP-Country-Lite", { "10.12.0.0/16": country("RU"), "10.10.0.0/16": country("CN"), "172.217.0.0/16": country("US"), "31.13.0.0/16": country("IE") });
  writeMmdb(asnFile, "DBIP-ASN-Lite", { "172.217.0.0/16": asn(15169, "Google LLC"), "31.13.0.0/16": asn(32934, "Facebook, Inc."), "10.12.0.0/16": asn(64512, "Branch") });
  writeFileSync(join(tmp.dir, "nets.csv"), "prefix,name,role\n10.0.0.0/8,corp,\n10.12.0.0/16,branches,customer\n");

  test("no enrichment configured: no stage; SNMP names only: a stage that leaves every flow as it is", () => {
    expect(createEnrichStage(config(""), log)).toBeNull();
    writeFileSync(join(tmp.dir, "community"), "public\n");
    const stage = createEnrichStage(config(`[[exporter]]\naddress = "192.0.2.45"\nname = "asr"\nsnmp_community_file = "community"\n`), log)!;
    expect([stage.enricher, stage.snmp === null]).toEqual([null, false]);
    const b = decoded();
    const before = Buffer.from(b.srcAs.buffer).toString("hex") + b.length;
    stage.process(b);
    expect(Buffer.from(b.srcAs.buffer).toString("hex") + b.length).toBe(before);
    expect(stage.counters().records).toBe(25);
    stage.close();
  });

  test("countries, ASes (auto), networks, interface roles; skip_unmarked drops the flows that cross no role", () => {
    const c = config(`
[enrich]
country = "country.mmdb"
asn = "asn.mmdb"
networks = "nets.csv"

[[network]]
prefix = "10.12.100.0/24"
name = "hq"
role = "office"

[[exporter]]
address = "192.0.2.45"
name = "asr"
skip_unmarked = true
  [[exporter.interface]]
  index = 4
  role = "external"
  [[exporter.interface]]
  index = 16
  name = "inside"
`);
    const stage = createEnrichStage(c, log)!;
    const b = decoded();
    const before = Array.from({ length: b.length }, (_, i) => ({
      src: formatV4(b.srcAddr[i * 4]!),
      dst: formatV4(b.dstAddr[i * 4]!),
      in: b.inIf[i]!,
      out: b.outIf[i]!,
      srcAs: b.srcAs[i]!,
      octets: b.octets[i]!,
    }));
    expect(before.length).toBe(25);
    stage.process(b);

    const kept = before.filter((r) => r.in === 4 || r.out === 4);
    expect(b.length).toBe(kept.length);
    expect(kept.length).toBe(23);
    const net = (a: string): [string, string] =>
      a.startsWith("10.12.100.") ? ["hq", "office"] : a.startsWith("10.12.") ? ["branches", "customer"] : a.startsWith("10.") ? ["corp", ""] : ["", ""];
    const names = stage.enricher!.names;
    const got = kept.map((_, i) => [
      b.octets[i],
      countryText(b.srcCountry[i]!),
      countryText(b.dstCountry[i]!),
      b.srcAs[i],
      b.dstAs[i],
      names.networks[b.srcNetwork[i]!],
      names.roles[b.srcRole[i]!],
      names.networks[b.dstNetwork[i]!],
      names.roles[b.dstRole[i]!],
      names.roles[b.inRole[i]!],
      names.roles[b.outRole[i]!],
    ]);
    const want = kept.map((r) => [
      r.octets,
      mmdblookup(countryFile, r.src, "country", "iso_code"),
      mmdblookup(countryFile, r.dst, "country", "iso_code"),
      mmdblookup(asnFile, r.src, "autonomous_system_number") ?? 0,
      mmdblookup(asnFile, r.dst, "autonomous_system_number") ?? 0,
      ...net(r.src),
      ...net(r.dst),
      r.in === 4 ? "external" : "",
      r.out === 4 ? "external" : "",
    ]);
    expect(got).toEqual(want);
    expect(got.some((r) => r[1] === "US" || r[2] === "US")).toBe(true);
    const n = stage.counters();
    expect([n.records, n.unmarked, n.cacheHits + n.cacheMisses, n.lookupErrors]).toEqual([25, 2, 50, 0]);
    stage.close();
  });

  test("networks without databases: the longest match straight from the prefix table", () => {
    const stage = createEnrichStage(config(`[enrich]\nnetworks = "nets.csv"\n[[network]]\nprefix = "10.12.100.0/24"\nname = "hq"\n`), log)!;
    const b = decoded();
    const srcs = Array.from({ length: b.length }, (_, i) => formatV4(b.srcAddr[i * 4]!));
    stage.process(b);
    const names = stage.enricher!.names;
    const net = (a: string) => (a.startsWith("10.12.100.") ? "hq" : a.startsWith("10.12.") ? "branches" : a.startsWith("10.") ? "corp" : "");
    expect(srcs.map((_, i) => names.networks[b.srcNetwork[i]!])).toEqual(srcs.map(net));
    expect(srcs.map((_, i) => names.roles[b.srcRole[i]!])).toEqual(srcs.map((a) => (net(a) === "branches" ? "customer" : "")));
    stage.close();
  });

  test("as_source: exporter keeps the router's AS; database replaces it", () => {
    const run = (source: string) => {
      const stage = createEnrichStage(config(`[enrich]\nasn = "asn.mmdb"\nas_source = "${source}"\n`), log)!;
      const b = decoded();
      b.srcAs.fill(7);
      stage.process(b);
      stage.close();
      return new Set(b.srcAs.subarray(0, b.length));
    };
    expect(run("exporter")).toEqual(new Set([7]));
    expect(run("database")).toEqual(new Set([0, 15169, 32934, 64512]));
    expect(run("auto")).toEqual(new Set([7]));
  });

  test("only what the monitoring objects read is filled: a side nothing reads is not looked up", () => {
    const mo = (filter: string, key: string) => `[[mo]]\nname = "m"\nfilter = "${filter}"\n  [[mo.window]]\n  name = "w"\n  every = "60s"\n  key = [${key}]\n  values = ["octets"]\n`;
    const enrich = `[enrich]\ncountry = "country.mmdb"\nasn = "asn.mmdb"\n[[exporter]]\naddress = "192.0.2.45"\nname = "asr"\n  [[exporter.interface]]\n  index = 4\n  role = "external"\n`;
    const needs = (text: string) => enrichNeeds(config(enrich + text));
    expect(needs(mo("", '"dst as"'))).toEqual({ src: false, dst: true, ifRoles: false });
    expect(needs(mo("country RU", '"src host"'))).toEqual({ src: true, dst: true, ifRoles: false });
    expect(needs(mo("in role external", '"src network"'))).toEqual({ src: true, dst: false, ifRoles: true });
    expect(needs(mo("src as 1", '"dst host"'))).toEqual({ src: true, dst: false, ifRoles: false });
    expect(enrichNeeds(config(enrich.replace("[enrich]", '[enrich]\nas_source = "exporter"') + mo("src as 1", '"dst as"')))).toEqual({ src: false, dst: false, ifRoles: false });

    const c = config(enrich + mo("", '"dst as", "dst country"'));
    const stage = createEnrichStage(c, log, { needs: enrichNeeds(c) })!;
    const b = decoded();
    b.srcCountry.fill(9);
    b.inRole.fill(9);
    const dsts = Array.from({ length: b.length }, (_, i) => formatV4(b.dstAddr[i * 4]!));
    stage.process(b);
    const n = b.length;
    expect([new Set(b.srcCountry.subarray(0, n)), new Set(b.inRole.subarray(0, n))]).toEqual([new Set([9]), new Set([9])]);
    expect([...b.dstCountry.subarray(0, n)].map((x): string | number | null => countryText(x))).toEqual(dsts.map((a) => mmdblookup(countryFile, a, "country", "iso_code")));
    expect(stage.counters().cacheHits + stage.counters().cacheMisses).toBe(25);
    stage.close();
  });

  test("a changed networks CSV is used from the next batch; ids never change; a bad one keeps the old; workers take the main thread's", async () => {
    const csv = join(tmp.dir, "reload.csv");
    writeFileSync(csv, "10.0.0.0/8,corp,\n10.12.0.0/16,branches,customer\n");
    const lines: string[] = [];
    const quiet = createLogger({ write: (l) => lines.push(l), journal: false, isTTY: false });
    const c = config(`[enrich]\ncountry = "country.mmdb"\nnetworks = "reload.csv"\n[[network]]\nprefix = "10.12.100.0/24"\nname = "hq"\nrole = "office"\n`);
    // A worker thread's stage: its own config object (so its own numbering), no poll of its own.
    const worker = createEnrichStage(config(`[enrich]\ncountry = "country.mmdb"\nnetworks = "reload.csv"\n[[network]]\nprefix = "10.12.100.0/24"\nname = "hq"\nrole = "office"\n`), quiet, { hosted: true })!;
    const stage = createEnrichStage(c, quiet, { onNetworks: (defs) => worker.enricher!.setNetworks(structuredClone(defs)) })!;
    const e = stage.enricher!;
    expect([worker.snmp, worker.enricher!.names === e.names]).toEqual([null, false]);
    const run = () => {
      const b = decoded();
      const w = decoded();
      stage.process(b);
      worker.process(w);
      expect([...w.srcNetwork.subarray(0, w.length), ...w.srcRole.subarray(0, w.length)]).toEqual([...b.srcNetwork.subarray(0, b.length), ...b.srcRole.subarray(0, b.length)]);
      const got = new Map<string, string>();
      for (let i = 0; i < b.length; i++) {
        const a = formatV4(b.srcAddr[i * 4]!);
        got.set(a.split(".").slice(0, 2).join(".") + (a.startsWith("10.12.100.") ? ".100" : ""), `${e.names.networks[b.srcNetwork[i]!]}/${e.names.roles[b.srcRole[i]!]}`);
      }
      return Object.fromEntries([...got].sort());
    };
    const before = run();
    expect(before["10.12"]).toBe("branches/customer");
    expect(before["172.217"]).toBe("/");
    const ids = [e.names.networkId("hq"), e.names.networkId("corp"), e.names.networkId("branches")];
    expect(await e.check()).toBe(false); // the first look: the same rows the config loaded

    writeFileSync(csv, "prefix,name,role\n10.0.0.0/8,corp,\n10.12.0.0/16,sites,server\n172.217.0.0/16,google,transit\n");
    expect(await e.check()).toBe(true);
    const after = run();
    expect(after).toEqual({ ...before, "10.12": "sites/server", "172.217": "google/transit" });
    expect([e.names.networkId("hq"), e.names.networkId("corp"), e.names.networkId("branches")]).toEqual(ids);
    expect(e.names.networkId("sites")).toBe(4);
    expect(worker.enricher!.names.networks).toEqual(e.names.networks);

    writeFileSync(csv, "10.0.0.0/8,corp,\n10.12.0.0/33,sites,\n");
    expect(await e.check()).toBe(false);
    expect(run()).toEqual(after);
    expect(lines.length).toBe(2);
    expect(lines[0]).toContain(`enrich: reloaded ${csv} (3 networks)`);
    expect(lines[1]).toContain(`${csv}:2:`);
    expect(lines[1]).toContain("keeping the previous networks");
    expect(stage.names().filter((r) => r.kind === "network").map((r) => `${r.id} ${r.name} ${r.role}`)).toEqual(["1 hq office", "2 corp ", "3 branches ", "4 sites server", "5 google transit"]);
    stage.close();
    worker.close();
  });
});
