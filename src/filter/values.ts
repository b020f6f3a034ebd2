// One value of a primitive, read according to its field's kind.

import type { Value } from "./ast.ts";
import { parseAddress, parseCidr } from "../net/address.ts";
import type { FieldSpec, ValueKind } from "./fields.ts";
import { describe, type Token } from "./lexer.ts";
import { parseMac } from "./mac.ts";
import { PORTS, PROTOCOLS, TCP_FLAGS } from "./names.ts";

export type ValueResult = { ok: true; value: Value } | { ok: false; col: number; message: string };

const EXPECTED: Record<ValueKind, string> = {
  host: "an address",
  net: "an address or CIDR",
  port: "a port number, range or name",
  proto: "a protocol number, range or name",
  uint: "a number or range",
  flags: "a number, range or TCP flag name",
  mac: "a MAC address",
  string: "a string",
  country: "a two-letter country code (ISO 3166 alpha-2)",
  name: "a name",
};

const NUMBER = /^(?:0x[0-9a-f]+|[0-9]+)$/i;

function fail(t: Token, message: string): ValueResult {
  return { ok: false, col: t.col, message };
}

function expected(t: Token, spec: FieldSpec, extra = ""): ValueResult {
  return fail(t, `expected ${EXPECTED[spec.kind]} after "${spec.name}", found ${describe(t)}${extra}`);
}

/** A decimal or 0x integer, or "A-B", within 0..spec.max. */
function parseRange(t: Token, spec: FieldSpec): ValueResult {
  const parts = t.text.split("-");
  if (parts.length > 2 || !parts.every((p) => NUMBER.test(p))) return expected(t, spec);
  const nums = parts.map((p) => Number(p));
  for (const n of nums) {
    if (n > spec.max) return fail(t, `${describe(t)} is out of range for "${spec.name}" (0-${spec.max})`);
  }
  const lo = nums[0] ?? 0;
  const hi = nums[1] ?? lo;
  if (lo > hi) return fail(t, `range ${describe(t)} is empty: its start is above its end`);
  return { ok: true, value: { kind: "range", col: t.col, lo, hi } };
}

function named(t: Token, table: ReadonlyMap<string, number>): ValueResult | null {
  const n = table.get(t.text.toLowerCase());
  return n === undefined ? null : { ok: true, value: { kind: "range", col: t.col, lo: n, hi: n } };
}

export function parseValue(t: Token, spec: FieldSpec): ValueResult {
  const kind = spec.kind;
  if (t.kind === "list") {
    if (kind === "host" || kind === "net") return { ok: true, value: { kind: "list", col: t.col, name: t.text } };
    return expected(t, spec);
  }
  if (t.kind === "string" && (kind === "string" || kind === "name")) return { ok: true, value: { kind: "string", col: t.col, value: t.text } };
  if (t.kind !== "word") return expected(t, spec);
  switch (kind) {
    case "host": {
      const r = parseAddress(t.text);
      if (typeof r !== "string") return { ok: true, value: { kind: "cidr", col: t.col, cidr: r } };
      const asNet = t.text.includes("/") && typeof parseCidr(t.text) !== "string";
      return expected(t, spec, asNet ? '; use "net" for a prefix' : "");
    }
    case "net": {
      const r = parseCidr(t.text);
      if (typeof r !== "string") return { ok: true, value: { kind: "cidr", col: t.col, cidr: r } };
      // A readable address with a bad prefix: the config parser's message says what is wrong.
      const slash = t.text.indexOf("/");
      if (slash > 0 && typeof parseAddress(t.text.slice(0, slash)) !== "string") return fail(t, r);
      return expected(t, spec);
    }
    case "port":
      return named(t, PORTS) ?? parseRange(t, spec);
    case "proto":
      return named(t, PROTOCOLS) ?? parseRange(t, spec);
    case "uint":
      return parseRange(t, spec);
    case "flags": {
      const mask = TCP_FLAGS.get(t.text.toLowerCase());
      if (mask !== undefined) return { ok: true, value: { kind: "flag", col: t.col, name: t.text.toLowerCase(), mask } };
      return parseRange(t, spec);
    }
    case "mac": {
      const v = parseMac(t.text);
      return v === null ? expected(t, spec) : { ok: true, value: { kind: "mac", col: t.col, value: v } };
    }
    case "string":
    case "name":
      return { ok: true, value: { kind: "string", col: t.col, value: t.text } };
    case "country":
      if (!/^[a-z]{2}$/i.test(t.text)) return expected(t, spec);
      return { ok: true, value: { kind: "string", col: t.col, value: t.text.toUpperCase() } };
  }
}
