// AST -> tests on batch columns. Everything that depends on the config or on files is resolved
// here, once: field names to columns, [[field]]s to extra columns, @lists to address sets. The
// backend then only has to turn column tests into code.

import type { Cidr, FieldDef } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import { type AddrSet, createAddrSet } from "./addrset.ts";
import type { Dir, FilterNode, MatchNode, Value } from "./ast.ts";
import { countryCode } from "../enrich/records.ts";
import type { EnrichNames } from "../enrich/names.ts";
import { lookupField } from "./fields.ts";

export type NumColumnName =
  | "srcPort" | "dstPort" | "proto" | "tos" | "tcpFlags" | "inIf" | "outIf"
  | "srcAs" | "dstAs" | "vlan" | "domain" | "sampler"
  | "srcCountry" | "dstCountry" | "srcNetwork" | "dstNetwork" | "srcRole" | "dstRole" | "inRole" | "outRole";

/** A numeric column: a batch column, or `num` of batch.extra[extra]. */
export type NumColumn = { batch: NumColumnName; extra?: undefined } | { extra: number; batch?: undefined };

/** An address column with its family column. */
export type AddrColumn =
  | { words: "srcAddr" | "dstAddr" | "exporterAddr"; family: "family" | "exporterFamily"; extra?: undefined }
  | { extra: number; words?: undefined };

export type Test =
  | { op: "all" }
  | { op: "and" | "or"; a: Test; b: Test }
  | { op: "not"; a: Test }
  | { op: "range"; col: NumColumn; lo: number; hi: number }
  | { op: "bits"; col: NumColumn; mask: number }
  | { op: "cidr"; col: AddrColumn; cidr: Cidr }
  | { op: "set"; col: AddrColumn; set: AddrSet }
  | { op: "strings"; extra: number; values: ReadonlySet<string> };

export interface CompileContext {
  fields: readonly FieldDef[];
  /** Index into batch.extra of the column holding element (pen, element). */
  extraIndex(pen: number, element: number): number;
  /** The prefixes of the address list `@name`; throws XenoflowError when it cannot be read. */
  list(name: string): readonly Cidr[];
  /** Network and role ids (src/enrich/names.ts); without them `network`/`role` match nothing known. */
  names?: EnrichNames;
}

const SIDE_ADDR: Record<"src" | "dst", AddrColumn> = {
  src: { words: "srcAddr", family: "family" },
  dst: { words: "dstAddr", family: "family" },
};

const ROLE_COLUMNS: Record<Dir, NumColumnName> = { src: "srcRole", dst: "dstRole", in: "inRole", out: "outRole" };

/** An enrichment name as the id its column holds; throws when the config does not know it. */
function enrichId(field: string, value: string, ctx: CompileContext): number {
  if (field === "country") return countryCode(value);
  const id = field === "network" ? (ctx.names?.networkId(value) ?? 0) : (ctx.names?.roleId(value) ?? 0);
  if (id === 0) {
    const what = field === "network" ? "no [[network]] is named" : "no network or interface has the role";
    throw new XenoflowError("E_CONFIG", `${field} "${value}": ${what} "${value}"`);
  }
  return id;
}

/** The columns a primitive reads, one per side it covers. */
function columns(m: MatchNode, ctx: CompileContext): (NumColumn | AddrColumn)[] {
  const sides = (d: Dir | null, a: Dir, b: Dir): Dir[] => (d === null ? [a, b] : [d]);
  switch (m.field) {
    case "host":
    case "net":
      return sides(m.dir, "src", "dst").map((d) => SIDE_ADDR[d as "src" | "dst"]);
    case "port":
      return sides(m.dir, "src", "dst").map((d) => ({ batch: d === "src" ? "srcPort" : "dstPort" }));
    case "as":
      return sides(m.dir, "src", "dst").map((d) => ({ batch: d === "src" ? "srcAs" : "dstAs" }));
    case "if":
      return sides(m.dir, "in", "out").map((d) => ({ batch: d === "in" ? "inIf" : "outIf" }));
    case "proto":
    case "tos":
    case "vlan":
    case "domain":
    case "sampler":
      return [{ batch: m.field }];
    case "tcp-flags":
      return [{ batch: "tcpFlags" }];
    case "exporter":
      return [{ words: "exporterAddr", family: "exporterFamily" }];
    case "country":
      return sides(m.dir, "src", "dst").map((d) => ({ batch: d === "src" ? "srcCountry" : "dstCountry" }));
    case "network":
      return sides(m.dir, "src", "dst").map((d) => ({ batch: d === "src" ? "srcNetwork" : "dstNetwork" }));
    case "role":
      return sides(m.dir, "src", "dst").map((d) => ({ batch: ROLE_COLUMNS[d] }));
  }
  const spec = lookupField(m.field, ctx.fields);
  if (spec === null || spec.def === null) throw new XenoflowError("E_INTERNAL", `filter field "${m.field}" is not defined`);
  return [{ extra: ctx.extraIndex(spec.def.pen, spec.def.element) }];
}

function anyOf(tests: Test[]): Test {
  return tests.reduce((a, b) => ({ op: "or", a, b }));
}

export function lower(ast: FilterNode, ctx: CompileContext): Test {
  const sets = new Map<string, AddrSet>();
  const listSet = (name: string): AddrSet => {
    let s = sets.get(name);
    if (s === undefined) {
      s = createAddrSet(ctx.list(name));
      sets.set(name, s);
    }
    return s;
  };

  function match(m: MatchNode): Test {
    const perColumn = columns(m, ctx).map((col) => {
      const strings = m.values.filter((v): v is Extract<Value, { kind: "string" }> => v.kind === "string");
      const tests: Test[] = [];
      if (strings.length > 0 && col.extra !== undefined) {
        tests.push({ op: "strings", extra: col.extra, values: new Set(strings.map((v) => v.value)) });
      } else if (strings.length > 0 && "batch" in col && col.batch !== undefined) {
        for (const v of strings) {
          const id = enrichId(m.field, v.value, ctx);
          tests.push({ op: "range", col, lo: id, hi: id });
        }
      }
      for (const v of m.values) {
        if (v.kind === "range") tests.push({ op: "range", col: col as NumColumn, lo: v.lo, hi: v.hi });
        else if (v.kind === "mac") tests.push({ op: "range", col: col as NumColumn, lo: v.value, hi: v.value });
        else if (v.kind === "flag") tests.push({ op: "bits", col: col as NumColumn, mask: v.mask });
        else if (v.kind === "cidr") tests.push({ op: "cidr", col: col as AddrColumn, cidr: v.cidr });
        else if (v.kind === "list") tests.push({ op: "set", col: col as AddrColumn, set: listSet(v.name) });
      }
      return anyOf(tests);
    });
    return anyOf(perColumn);
  }

  function walk(n: FilterNode): Test {
    switch (n.kind) {
      case "all":
        return { op: "all" };
      case "not":
        return { op: "not", a: walk(n.arg) };
      case "and":
      case "or":
        return { op: n.kind, a: walk(n.left), b: walk(n.right) };
      case "match":
        return match(n);
    }
  }
  return walk(ast);
}
