// The fields a filter can test: the built-ins of DESIGN.md section 3, then every `[[field]]`.

import type { FieldDef } from "../config/types.ts";
import { DNS_NAME_COLUMN, SNI_COLUMN } from "../flow/batch.ts";
import type { Dir } from "./ast.ts";
import { PROTOCOLS } from "./names.ts";

export type ValueKind = "host" | "net" | "port" | "proto" | "uint" | "flags" | "mac" | "string" | "country" | "name";

export interface FieldSpec {
  name: string;
  kind: ValueKind;
  /** Largest integer value (uint, port, proto, flags). */
  max: number;
  /** Qualifiers allowed before the field; none = the field has no sides. */
  dirs: readonly Dir[];
  /** The `[[field]]` this is, for config fields. */
  def: FieldDef | null;
}

const U32 = 0xffffffff;
const SIDES: readonly Dir[] = ["src", "dst"];

function builtin(name: string, kind: ValueKind, max: number, dirs: readonly Dir[] = []): FieldSpec {
  return { name, kind, max, dirs, def: null };
}

/** A name from sFlow sampled payloads: a string column of the batch (src/flow/batch.ts). */
function payloadName(name: string, element: number): FieldSpec {
  return { name, kind: "string", max: 0, dirs: [], def: { name, pen: DNS_NAME_COLUMN.pen, element, type: "string" } };
}

/** Built-in fields written as two words ("dns name"): the first word, then the second. */
export const TWO_WORD_FIELDS: ReadonlyMap<string, string> = new Map([["dns", "name"]]);

export const BUILTIN_FIELDS: ReadonlyMap<string, FieldSpec> = new Map(
  [
    builtin("host", "host", 0, SIDES),
    builtin("net", "net", 0, SIDES),
    builtin("port", "port", 0xffff, SIDES),
    builtin("proto", "proto", 0xff),
    builtin("as", "uint", U32, SIDES),
    builtin("if", "uint", U32, ["in", "out"]),
    builtin("tos", "uint", 0xff),
    builtin("tcp-flags", "flags", 0xffff),
    builtin("vlan", "uint", 4095), // 802.1Q VLAN ID is 12 bits
    builtin("exporter", "net", 0),
    builtin("domain", "uint", U32),
    builtin("sampler", "uint", U32),
    payloadName("dns name", DNS_NAME_COLUMN.element),
    payloadName("sni", SNI_COLUMN.element),
    // Enrichment (src/enrich/): names resolved to the stage's ids when the filter is compiled.
    builtin("country", "country", 0, SIDES),
    builtin("network", "name", 0, SIDES),
    builtin("role", "name", 0, ["src", "dst", "in", "out"]),
  ].map((f) => [f.name, f]),
);

/** Words the grammar reserves besides field names; a `[[field]]` must not take one. */
export const KEYWORDS: readonly string[] = ["and", "or", "not", "src", "dst", "in", "out"];

export function configField(def: FieldDef): FieldSpec {
  const kind: ValueKind = def.type === "address" ? "net" : def.type;
  return { name: def.name, kind, max: Number.MAX_SAFE_INTEGER, dirs: [], def };
}

/** A field by the word written (case-insensitive): built-ins first, then `[[field]]`s. */
export function lookupField(word: string, fields: readonly FieldDef[]): FieldSpec | null {
  const w = word.toLowerCase();
  const b = BUILTIN_FIELDS.get(w);
  if (b !== undefined) return b;
  const def = fields.find((f) => f.name.toLowerCase() === w);
  return def === undefined ? null : configField(def);
}

/**
 * Whether a `[[field]]` name would be shadowed in filters (a built-in field, a keyword, or a
 * protocol shorthand such as "gre"): the config loader should refuse such names.
 */
export function isReservedName(name: string): boolean {
  const n = name.toLowerCase();
  return BUILTIN_FIELDS.has(n) || KEYWORDS.includes(n) || PROTOCOLS.has(n);
}
