// `xenoflow lookup ADDRESS... [-c FILE] [--json]`: what enrichment knows of each address, from the
// same databases, networks and cache the collector's stage uses (DESIGN.md section 2).
import { defineCommand } from "citty";
import { configPath, loadConfig } from "../config/load.ts";
import { type Enricher, createEnricher } from "../enrich/enricher.ts";
import { SLOT_ASN, SLOT_COUNTRY } from "../enrich/geo.ts";
import { countryText } from "../enrich/records.ts";
import { XenoflowError } from "../errors.ts";
import { expressionChecker } from "../expressions.ts";
import { createLogger } from "../log.ts";
import { parseAddressWords } from "../net/address.ts";

export interface AddressFacts {
  address: string;
  country: string | null;
  as: number | null;
  as_name: string | null;
  network: string | null;
  role: string | null;
}

export function lookupAddress(e: Enricher, address: string): AddressFacts {
  const w = new Uint32Array(4);
  const family = parseAddressWords(address, w);
  if (family === 0) throw new XenoflowError("E_USAGE", `not an IPv4 or IPv6 address: "${address}"`);
  const facts: AddressFacts = { address, country: null, as: null, as_name: null, network: null, role: null };
  if (e.geo) {
    e.geo.refresh();
    const s = e.geo.lookup(family, w, 0);
    facts.country = countryText(e.geo.table[s + SLOT_COUNTRY]!);
    const asn = e.geo.table[s + SLOT_ASN]!;
    facts.as = asn === 0 ? null : asn;
    facts.as_name = asn === 0 ? null : (e.geo.asName(asn) ?? null);
  }
  const p = e.networks?.table.match(family, w, 0) ?? -1;
  if (e.networks && p >= 0) {
    facts.network = e.names.networks[e.networks.network[p + 1]!] ?? null;
    facts.role = e.names.roles[e.networks.role[p + 1]!] || null;
  }
  return facts;
}

export function formatFacts(f: AddressFacts): string {
  const parts = [f.address, `country ${f.country ?? "-"}`, `as ${f.as ?? "-"}${f.as_name ? ` ${f.as_name}` : ""}`];
  parts.push(`network ${f.network ?? "-"}${f.role ? ` (role ${f.role})` : ""}`);
  return parts.join("  ");
}

export default defineCommand({
  meta: { name: "lookup", description: "what enrichment knows of each address: country, AS number and name, network and role" },
  args: {
    address: { type: "positional", required: true, description: "IPv4 or IPv6 addresses" },
    config: { type: "string", alias: "c", description: "configuration file (default: XENOFLOW_CONFIG, config/xenoflow.toml, /etc/xenoflow/xenoflow.toml)" },
    json: { type: "boolean", description: "one JSON object per line" },
  },
  run({ args }) {
    const config = loadConfig(configPath(args.config), { expressions: expressionChecker });
    const enricher = createEnricher(config, createLogger(), { cacheSlots: 64, watchNetworks: false });
    if (enricher === null) throw new XenoflowError("E_CONFIG", `${config.file} configures no enrichment: set [enrich] country/asn/networks or [[network]]`);
    try {
      // citty puts every positional in `_`, the first one also in `address`.
      const facts = (args._.length > 0 ? args._ : [args.address]).map((a) => lookupAddress(enricher, String(a)));
      for (const f of facts) console.log(args.json ? JSON.stringify(f) : formatFacts(f));
    } finally {
      enricher.close();
    }
    return 0;
  },
});
