import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { createEnricher } from "../../src/enrich/enricher.ts";
import { createNamesWriter, nameRows } from "../../src/enrich/name-rows.ts";
import { nameIndex } from "../../src/enrich/names.ts";
import { createLogger } from "../../src/log.ts";
import type { NameRow } from "../../src/store/names.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { asn, tempDir, writeMmdb } from "./mmdb-fixtures.ts";

const tmp = tempDir();
afterAll(() => tmp.remove());

describe("xenoflow_names rows", () => {
  test("networks, interfaces (static), ASes seen; written to SQLite only when they change", async () => {
    writeMmdb(join(tmp.dir, "asn.mmdb"), "GeoLite2-ASN", { "1.1.1.0/24": asn(13335, "Cloudflare, Inc."), "8.8.8.0/24": asn(15169, "Google LLC") });
    const file = join(tmp.dir, "x.toml");
    writeFileSync(
      file,
      `[enrich]
asn = "asn.mmdb"
[[network]]
prefix = "203.0.113.0/25"
name = "acme"
role = "customer"
[[network]]
prefix = "203.0.113.128/25"
name = "acme"
[[network]]
prefix = "2001:db8::/32"
name = "lab"
[[exporter]]
address = "192.0.2.1"
name = "edge"
  [[exporter.interface]]
  index = 7
  name = "xe-0/0/1"
  description = "transit A"
  role = "external"
`,
    );
    const config = loadConfig(file, { env: {} });
    const enricher = createEnricher(config, createLogger({ write: () => {} }), { cacheSlots: 64 })!;
    const sink = createSqliteSink(join(tmp.dir, "db.sqlite"));
    let writes = 0;
    const writer = createNamesWriter({ writeNames: (r) => (writes++, sink.writeNames(r)) });

    expect(await writer.update(nameRows(config, enricher, null))).toBeNull();
    enricher.geo!.lookup(4, Uint32Array.of(0x08080808, 0, 0, 0), 0);
    enricher.geo!.lookup(4, Uint32Array.of(0x01010101, 0, 0, 0), 0);
    expect(await writer.update(nameRows(config, enricher, null))).toBeNull();
    expect(await writer.update(nameRows(config, enricher, null))).toBeNull();
    expect(writes).toBe(2);
    await sink.close();
    enricher.close();

    const db = new Database(join(tmp.dir, "db.sqlite"), { readonly: true });
    expect(db.query("SELECT kind, exporter, id, name, description, role FROM xenoflow_names").values()).toEqual([
      ["network", "", 1, "acme", "", "customer"],
      ["network", "", 2, "lab", "", ""],
      ["if", "192.0.2.1", 7, "xe-0/0/1", "transit A", "external"],
      ["as", "", 13335, "Cloudflare, Inc.", "", ""],
      ["as", "", 15169, "Google LLC", "", ""],
    ]);
    db.close();
  });

  test("nameIndex maps (kind, exporter, id) to its row", () => {
    const rows: NameRow[] = [
      { kind: "as", exporter: "", id: 13335, name: "Cloudflare, Inc.", description: "", role: "" },
      { kind: "if", exporter: "192.0.2.1", id: 7, name: "xe-0/0/1", description: "transit A", role: "external" },
      { kind: "network", exporter: "", id: 7, name: "lab", description: "", role: "" },
    ];
    const ix = nameIndex(rows);
    expect([ix.name("as", "", 13335), ix.name("if", "192.0.2.1", 7), ix.name("network", "", 7), ix.name("if", "192.0.2.2", 7), ix.name("as", "", 7)]).toEqual([
      "Cloudflare, Inc.",
      "xe-0/0/1",
      "lab",
      "",
      "",
    ]);
    expect(ix.get("if", "192.0.2.1", 7)).toEqual(rows[1]);
  });
});
