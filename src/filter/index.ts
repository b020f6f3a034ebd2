// The filter language (DESIGN.md section 3): parse once at config load, compile once per
// monitoring object, then evaluate per record with no allocation.
//
// Semantics the grammar leaves open, decided here:
// - `tcp-flags NAME` (fin syn rst psh ack urg ece cwr ns) is true when that bit is set;
//   `tcp-flags N` / `A-B` compare the whole flags value. `syn and not ack` needs two primitives.
// - A list `f a, b` matches when any value does; without src/dst (in/out for `if`) either side.
// - A record without the field (family 0, an absent [[field]]) matches no value, so `not`
//   of such a primitive is true for it.
// - `host` takes addresses only; `net`, `exporter` and address [[field]]s take prefixes; a
//   prefix with host bits set is an error. `@name` lists go with host, net and address fields.
// - [[field]] names are matched case-insensitively; built-in fields take precedence, then
//   [[field]]s, then protocol shorthands.

import type { FieldDef } from "../config/types.ts";
import type { FilterNode } from "./ast.ts";
import { generate, generateSelect, type Predicate, type Selector } from "./codegen.ts";
import { type CompileContext, lower } from "./lower.ts";
import { parseFilter } from "./parser.ts";

export type { Dir, FilterNode, MatchNode, Value } from "./ast.ts";
export { BUILTIN_FIELDS, isReservedName, KEYWORDS } from "./fields.ts";
export { formatFilter } from "./format.ts";
export type { CompileContext } from "./lower.ts";
export type { Predicate, Selector } from "./codegen.ts";
export { parseFilter };

/** Turn a parsed filter into a predicate over batch records. Throws XenoflowError from ctx.list. */
export function compileFilter(ast: FilterNode, ctx: CompileContext): Predicate {
  return generate(lower(ast, ctx));
}

/**
 * The filter as a loop over a selection of records (see Selector): for the monitor, which
 * filters a whole batch per monitoring object and gains from not calling a predicate per record.
 */
export function compileSelect(ast: FilterNode, ctx: CompileContext): Selector {
  return generateSelect(lower(ast, ctx));
}

/** For the config loader: null when `src` is a valid filter, else where and what is wrong. */
export function checkFilter(src: string, fields: readonly FieldDef[]): { col: number; message: string } | null {
  const r = parseFilter(src, fields);
  return r.ok ? null : { col: r.col, message: r.message };
}

/** An error as one line: `col 12: expected ...`. */
export function formatFilterError(e: { col: number; message: string }): string {
  return `col ${e.col}: ${e.message}`;
}
