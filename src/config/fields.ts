// `[[field]]` (named Information Elements for filters and keys) and `[[exporter]]` settings.
import { EXPORTER_ENRICH_KEYS, readExporterEnrich } from "./enrich.ts";
import { address, element, int, name, nonEmpty, oneOf } from "./parsers.ts";
import type { Reader } from "./reader.ts";
import type { ExporterDef, FieldDef, FieldType } from "./types.ts";

export const FIELD_KEYS = ["name", "element", "type"] as const;
const FIELD_TYPES: readonly FieldType[] = ["uint", "address", "mac", "string"];

// Words the filter language and key syntax already own (DESIGN.md section 3); a field named like
// one of them could never be reached.
const RESERVED = new Set([
  "src", "dst", "in", "out", "and", "or", "not", "host", "net", "port", "proto", "as", "if", "tos",
  "tcp", "udp", "icmp", "vlan", "exporter", "domain", "sampler", "octets", "packets", "bits", "flows",
  "country", "network", "role",
]);

export function readFields(tables: readonly Reader[]): FieldDef[] {
  const out: FieldDef[] = [];
  const names = new Set<string>();
  for (const t of tables) {
    const n = t.req("name", name);
    const el = t.req("element", element);
    const type = t.req("type", oneOf(FIELD_TYPES));
    if (n !== undefined) {
      if (RESERVED.has(n)) t.report("name", `\`name\`: "${n}" is a built-in filter word; choose another name`);
      else if (names.has(n)) t.report("name", `\`name\`: duplicate field name "${n}"`);
      names.add(n);
    }
    if (n !== undefined && el !== undefined && type !== undefined) out.push({ name: n, ...el, type });
  }
  return out;
}

export const EXPORTER_KEYS = ["address", "name", "sampling_rate", ...EXPORTER_ENRICH_KEYS] as const;

export function readExporters(tables: readonly Reader[], dir: string): ExporterDef[] {
  const out: ExporterDef[] = [];
  const addresses = new Set<string>();
  const names = new Map<string, string>();
  for (const t of tables) {
    const a = t.req("address", address);
    const n = t.req("name", nonEmpty);
    const samplingRate = t.opt("sampling_rate", int(1, 2 ** 32 - 1), null as number | null);
    const enrich = readExporterEnrich(t, dir);
    if (a !== undefined) {
      if (addresses.has(a.text)) t.report("address", `\`address\`: duplicate exporter ${a.text}`);
      addresses.add(a.text);
    }
    if (n !== undefined) {
      if (names.has(n)) t.report("name", `\`name\`: "${n}" already names exporter ${names.get(n)}`);
      names.set(n, a?.text ?? "");
    }
    if (a !== undefined && n !== undefined) out.push({ address: a, name: n, samplingRate, ...enrich });
  }
  return out;
}
