// Enrichment through the monitor: filters on `country`, `network`, `role`, `in role` and windows
// keyed by `src country`, `dst network`, `in role`, `out role` over a decoded vendor capture,
// with sums equal to the same flows mapped by hand; keys come out as text.
import type { ClosedWindow } from "../../src/flow/export.ts";
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { createEnrichStage } from "../../src/enrich/stage.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { createLogger } from "../../src/log.ts";
import { createMonitor } from "../../src/monitor/mo.ts";
import { formatV4 } from "../../src/net/address.ts";
import { compilePredicates } from "../../src/collector/predicates.ts";
import { readCapture } from "../../src/capture/pcap.ts";
import { country, mmdblookup, tempDir, writeMmdb } from "./mmdb-fixtures.ts";

const tmp = tempDir();
afterAll(() => tmp.remove());
const PCAP = resolve(import.meta.dir, "../fixtures/vendors/v9-cisco-asr1001x.pcap");

function load(body: string) {
  const file = join(tmp.dir, "x.toml");
  writeFileSync(file, `data_dir = "${tmp.dir}"\n${body}`);
  return loadConfig(file, { env: {}, expressions: expressionChecker });
}

const ENRICH = `
[enrich]
country = "country.mmdb"

[[network]]
prefix = "10.12.0.0/16"
name = "branches"
role = "customer"

[[network]]
prefix = "10.100.0.0/16"
name = "dc"
role = "server"

[[exporter]]
address = "192.0.2.45"
name = "asr"
  [[exporter.interface]]
  index = 4
  role = "external"
  [[exporter.interface]]
  index = 16
  role = "internal"
`;

describe("enrichment in filters and keys", () => {
  const countryFile = join(tmp.dir, "country.mmdb");
  writeMmdb(countryFile, "DBIP-Country-Lite", { "10.12.0.0/16": country("RU"), "10.10.0.0/16": country("CN"), "10.100.0.0/16": country("NL") });

  test("window sums by src country, dst network, in role equal the flows mapped by hand", () => {
    const c = load(`${ENRICH}
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "geo"
  every = "3600s"
  key = ["src country", "dst network", "in role", "out role"]
  values = ["octets", "flows"]

[[mo]]
name = "ext"
filter = "src country RU,CN and in role external or dst network dc and not role server"
  [[mo.window]]
  name = "n"
  every = "3600s"
  key = ["src country"]
  values = ["flows"]
`);
    const stage = createEnrichStage(c, createLogger({ write: () => {} }))!;
    const monitor = createMonitor(c, compilePredicates(c, []));
    const d = createDecoder({ templatesPerExporter: 64, templatesTotal: 1024, pendingBytesPerExporter: 1 << 20, pendingMs: 60_000 });
    const b = createBatch();
    for (const g of readCapture(readFileSync(PCAP)).datagrams) d.decodeToBatch(g.payload, { addr: g.src, id: 0 }, 1_700_000_000_000, b, () => {});
    const recs = Array.from({ length: b.length }, (_, i) => ({ src: formatV4(b.srcAddr[i * 4]!), dst: formatV4(b.dstAddr[i * 4]!), inIf: b.inIf[i]!, outIf: b.outIf[i]!, octets: b.octets[i]! }));
    stage.process(b);
    monitor.process(b);
    const out = monitor.flush();

    const net = (a: string) => (a.startsWith("10.12.") ? "branches" : a.startsWith("10.100.") ? "dc" : null);
    const role = (a: string) => (a.startsWith("10.12.") ? "customer" : a.startsWith("10.100.") ? "server" : null);
    const ifRole = (i: number) => (i === 4 ? "external" : i === 16 ? "internal" : null);
    const cc = new Map(recs.map((r) => [r.src, mmdblookup(countryFile, r.src, "country", "iso_code")]));
    const want = new Map<string, [number, number]>();
    for (const r of recs) {
      const k = JSON.stringify([cc.get(r.src), net(r.dst), ifRole(r.inIf), ifRole(r.outIf)]);
      const v = want.get(k) ?? [0, 0];
      want.set(k, [v[0] + r.octets, v[1] + 1]);
    }
    const rowsIn = (e: ClosedWindow) => {
      if (!("rows" in e)) throw new Error(`${e.table}: raw`);
      return e.rows;
    };
    const geo = out.find((e) => e.table === "all_geo")!;
    expect(geo.keys).toEqual([
      { name: "src_country", type: "string" },
      { name: "dst_network", type: "string" },
      { name: "in_role", type: "string" },
      { name: "out_role", type: "string" },
    ]);
    const got = new Map(rowsIn(geo).map((r) => [JSON.stringify(r.slice(0, 4)), r.slice(4) as [number, number]]));
    expect(got).toEqual(want);
    expect([...got.keys()].some((k) => k.includes('"RU"') && k.includes('"external"'))).toBe(true);

    const ext = recs.filter((r) => {
      const sc = cc.get(r.src);
      const routed = (sc === "RU" || sc === "CN") && r.inIf === 4;
      return routed || (net(r.dst) === "dc" && role(r.src) !== "server" && role(r.dst) !== "server");
    });
    const n = out.find((e) => e.table === "ext_n")!;
    expect(rowsIn(n).reduce((s, r) => s + (r[1] as number), 0)).toBe(ext.length);
    expect(ext.length).toBeGreaterThan(0);
    stage.close();
  });

  test("an unknown network or role name is a config error naming it", () => {
    const c = load(`${ENRICH}\n[[mo]]\nname = "x"\nfilter = "network nope"\n`);
    expect(() => compilePredicates(c, [])).toThrow('network "nope": no [[network]] is named "nope"');
    const r = load(`${ENRICH}\n[[mo]]\nname = "x"\nfilter = "out role boss"\n`);
    expect(() => compilePredicates(r, [])).toThrow('role "boss": no network or interface has the role "boss"');
    expect(() => load(`[[mo]]\nname = "x"\nfilter = "src country RUS"\n`)).toThrow("expected a two-letter country code");
    expect(() => load(`[[mo]]\nname = "x"\nfilter = "in network dc"\n`)).toThrow('"in" does not apply to "network"');
  });
});
