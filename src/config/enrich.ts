// Enrichment settings (DESIGN.md section 3): `[enrich]`, `[[network]]` and the networks CSV, and
// the SNMP and interface keys of `[[exporter]]`. The CSV is read here, at load, so that a bad row
// is reported FILE:LINE:COL like any other config mistake and `check` catches it.
import { readFileSync } from "node:fs";
import type { ConfigIssue } from "../errors.ts";
import { parseCidr } from "../net/address.ts";
import { readSecret, resolveFrom } from "./files.ts";
import { bool, cidr, duration, int, name, nonEmpty, oneOf, str } from "./parsers.ts";
import { type Parse, type Reader, describe, invalid } from "./reader.ts";
import type { AsSource, EnrichDef, InterfaceDef, NetworkDef } from "./types.ts";

export const ENRICH_KEYS = ["country", "asn", "as_source", "networks"] as const;
export const NETWORK_KEYS = ["prefix", "name", "role"] as const;
export const INTERFACE_KEYS = ["index", "name", "description", "role", "speed"] as const;
/** The `[[exporter]]` keys this module reads (fields.ts reads the others). */
export const EXPORTER_ENRICH_KEYS = ["snmp_community_file", "snmp_every", "skip_unmarked", "interface"] as const;

const AS_SOURCES: readonly AsSource[] = ["auto", "exporter", "database"];

// Network names are filter values and key text: one filter word, no spaces or commas.
const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const networkName: Parse<string> = (v) => {
  if (typeof v !== "string") return invalid(`expected a name, found ${describe(v)}`);
  return NETWORK_NAME.test(v) ? v : invalid(`invalid network name "${v}": use letters, digits, _, . and -`);
};

export function readEnrich(t: Reader, dir: string): EnrichDef {
  const path = (key: string): string | null => {
    const p = t.opt(key, str, "");
    return p === "" ? null : resolveFrom(dir, p);
  };
  return { country: path("country"), asn: path("asn"), asSource: t.opt("as_source", oneOf(AS_SOURCES), "auto"), networks: path("networks"), inlineNetworks: 0 };
}

export function readNetworks(tables: readonly Reader[]): NetworkDef[] {
  const out: NetworkDef[] = [];
  const seen = new Set<string>();
  for (const t of tables) {
    const prefix = t.req("prefix", cidr);
    const n = t.req("name", networkName);
    const role = t.opt("role", name, "");
    if (prefix !== undefined) {
      if (seen.has(prefix.text)) t.report("prefix", `\`prefix\`: duplicate network ${prefix.text}`);
      seen.add(prefix.text);
    }
    if (prefix !== undefined && n !== undefined) out.push({ prefix, name: n, role });
  }
  return out;
}

/**
 * The networks CSV: `prefix,name,role` a line (role may be empty), `#` comments, blank lines and
 * an optional `prefix,name,role` header. Every bad row is an issue at its line and column.
 */
export function readNetworksCsv(file: string, inline: readonly NetworkDef[], issues: ConfigIssue[]): NetworkDef[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    issues.push({ file, message: `cannot read the networks file: ${code === "ENOENT" ? "no such file" : (err as Error).message}` });
    return [];
  }
  return parseNetworksCsv(text, file, inline, issues);
}

/** The rows of a networks CSV's `text` (readNetworksCsv; the stage's reload reads the file itself). */
export function parseNetworksCsv(text: string, file: string, inline: readonly NetworkDef[], issues: ConfigIssue[]): NetworkDef[] {
  const out: NetworkDef[] = [];
  const seen = new Set(inline.map((n) => n.prefix.text));
  const lines = text.split("\n");
  for (let l = 0; l < lines.length; l++) {
    const line = (lines[l] ?? "").replace(/\r$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || (l === 0 && /^prefix\s*,/i.test(trimmed))) continue;
    const at = (cell: number, message: string): void => {
      let col = 1;
      for (let k = 0; k < cell; k++) col = line.indexOf(",", col - 1) + 2;
      issues.push({ file, line: l + 1, col, message });
    };
    const cells = line.split(",").map((c) => c.trim());
    if (cells.length < 2 || cells.length > 3) {
      at(0, `expected prefix,name,role, found ${cells.length} field${cells.length === 1 ? "" : "s"}`);
      continue;
    }
    const prefix = parseCidr(cells[0] ?? "");
    if (typeof prefix === "string") {
      at(0, prefix);
      continue;
    }
    const n = cells[1] ?? "";
    const role = cells[2] ?? "";
    if (!NETWORK_NAME.test(n)) at(1, `invalid network name "${n}": use letters, digits, _, . and -`);
    else if (role !== "" && typeof name(role) !== "string") at(2, `invalid role "${role}": use lower-case letters, digits and _, starting with a letter`);
    else if (seen.has(prefix.text)) at(0, `duplicate network ${prefix.text}`);
    else out.push({ prefix, name: n, role });
    seen.add(prefix.text);
  }
  return out;
}

/** Bits per second from 10000000, "100M", "10G", "400G"; 0 = unknown. */
const speed: Parse<number> = (v) => {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  const m = typeof v === "string" ? /^(\d+(?:\.\d+)?)\s*([KMGT]?)$/i.exec(v.trim()) : null;
  if (m === null) return invalid(`expected a speed like "100M", "10G" or bits per second, found ${describe(v)}`);
  const mult: Record<string, number> = { "": 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Math.round(Number(m[1]) * (mult[(m[2] ?? "").toUpperCase()] ?? 1));
};

function readInterfaces(tables: readonly Reader[]): InterfaceDef[] {
  const out: InterfaceDef[] = [];
  const seen = new Set<number>();
  for (const t of tables) {
    const index = t.req("index", int(1, 0xffffffff));
    if (index !== undefined) {
      if (seen.has(index)) t.report("index", `\`index\`: duplicate interface ${index}`);
      seen.add(index);
    }
    const iface = {
      name: t.opt("name", nonEmpty, ""),
      description: t.opt("description", str, ""),
      role: t.opt("role", name, ""),
      speed: t.opt("speed", speed, 0),
    };
    if (index !== undefined) out.push({ index, ...iface });
  }
  return out;
}

export interface ExporterEnrich {
  snmpCommunity: string | null;
  snmpEvery: number;
  skipUnmarked: boolean;
  interfaces: readonly InterfaceDef[];
}

export function readExporterEnrich(t: Reader, dir: string): ExporterEnrich {
  const file = t.opt("snmp_community_file", nonEmpty, "");
  let snmpCommunity: string | null = null;
  if (file !== "") {
    const secret = readSecret(resolveFrom(dir, file));
    if ("problem" in secret) t.report("snmp_community_file", `\`snmp_community_file\`: ${secret.problem}`);
    else snmpCommunity = secret.value;
  }
  const snmpEvery = t.opt("snmp_every", duration(10), 600);
  if (t.has("snmp_every") && file === "") t.report("snmp_every", "`snmp_every`: set `snmp_community_file` too, or remove it");
  const skipUnmarked = t.opt("skip_unmarked", bool, false);
  const interfaces = readInterfaces(t.tables("interface", INTERFACE_KEYS));
  if (skipUnmarked && !interfaces.some((i) => i.role !== "")) {
    t.report("skip_unmarked", "`skip_unmarked`: no [[exporter.interface]] of this exporter has a `role`, so every flow would be dropped");
  }
  return { snmpCommunity, snmpEvery, skipUnmarked, interfaces };
}
