// Per-key threshold overrides for a limit (`[[mo.mavg.limit]] file`): CSV lines of the key
// fields followed by thresholds. An optional header line (`dst host,bits,packets`) names the
// threshold columns, so their order is explicit; without one they follow the average's `values`.
// An empty threshold cell keeps the limit's default for that value; "-" means "no threshold".
// Address key fields may hold a CIDR: the longest matching prefix wins over the defaults, and an
// exact key wins over every prefix. `#` starts a comment.
import { readFileSync, statSync } from "node:fs";
import type { Cidr, ValueName } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import { cidrContains, parseAddressWords, parseCidr } from "../net/address.ts";

/** Thresholds per value index (the average's `values` order); NaN = no threshold. */
export type Thresholds = Float64Array;

interface PrefixRule {
  cidrs: (Cidr | null)[]; // per key field: a prefix, or null for an exact text match
  texts: string[];
  thresholds: Thresholds;
}

export interface LimitOverrides {
  readonly file: string;
  readonly mtimeMs: number;
  readonly size: number;
  /** Per value, the lowest threshold any key has (NaN: none has one): keys below it need no lookup. */
  readonly min: Thresholds;
  /** Thresholds for a rendered key, or the defaults. */
  lookup(key: readonly string[]): Thresholds;
}

export function defaultThresholds(values: readonly ValueName[], t: Readonly<Partial<Record<ValueName, number>>>): Thresholds {
  return Float64Array.from(values, (v) => t[v] ?? Number.NaN);
}

export function parseOverrides(
  file: string,
  text: string,
  keyCount: number,
  defaults: Thresholds,
  values: readonly ValueName[] = [],
): LimitOverrides {
  const exact = new Map<string, Thresholds>();
  const rules: PrefixRule[] = [];
  const lines = text.split(/\r?\n/);
  // column -> value index; the default order until a header says otherwise
  let columns = Array.from(defaults, (_, v) => v);
  let first = true;
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).replace(/#.*/, "").trim();
    if (line === "") continue;
    const cells = line.split(",").map((c) => c.trim());
    if (first && cells.slice(keyCount).every((c) => /^[a-z_]+$/.test(c))) {
      first = false;
      columns = cells.slice(keyCount).map((c) => {
        const v = values.indexOf(c as ValueName);
        if (v < 0) throw new XenoflowError("E_INPUT", `${file}:${n + 1}: "${c}" is not a value of this average (${values.join(", ")})`);
        return v;
      });
      continue;
    }
    first = false;
    const want = keyCount + columns.length;
    if (cells.length !== want) {
      throw new XenoflowError("E_INPUT", `${file}:${n + 1}: expected ${keyCount} key field(s) and ${columns.length} threshold(s), found ${cells.length} cells`);
    }
    const thresholds = Float64Array.from(defaults);
    for (let col = 0; col < columns.length; col++) {
      const v = columns[col] as number;
      const c = cells[keyCount + col] as string;
      if (c === "") thresholds[v] = defaults[v] as number;
      else if (c === "-") thresholds[v] = Number.NaN;
      else {
        const x = Number(c);
        if (!Number.isFinite(x) || x < 0) throw new XenoflowError("E_INPUT", `${file}:${n + 1}: threshold "${c}" is not a non-negative number`);
        thresholds[v] = x;
      }
    }
    const keys = cells.slice(0, keyCount);
    const cidrs = keys.map((k) => (k.includes("/") ? parseCidr(k) : null));
    const bad = cidrs.findIndex((c) => typeof c === "string");
    if (bad >= 0) throw new XenoflowError("E_INPUT", `${file}:${n + 1}: ${cidrs[bad] as string}`);
    if (cidrs.every((c) => c === null)) exact.set(keys.join("\u0000"), thresholds);
    else rules.push({ cidrs: cidrs as (Cidr | null)[], texts: keys, thresholds });
  }
  const min = Float64Array.from(defaults);
  for (const t of [...exact.values(), ...rules.map((r) => r.thresholds)]) {
    for (let v = 0; v < min.length; v++) if (!((min[v] as number) <= (t[v] as number))) min[v] = Number.isNaN(t[v] as number) ? (min[v] as number) : (t[v] as number);
  }
  // Most specific first: the sum of prefix lengths orders nested customer blocks correctly.
  rules.sort((a, b) => specificity(b) - specificity(a));
  const words = new Uint32Array(4);
  return {
    file,
    mtimeMs: 0,
    size: text.length,
    min,
    lookup(key) {
      const hit = exact.get(key.join("\u0000"));
      if (hit) return hit;
      for (const r of rules) if (matches(r, key, words)) return r.thresholds;
      return defaults;
    },
  };
}

function specificity(r: PrefixRule): number {
  return r.cidrs.reduce((s, c) => s + (c ? c.bits : 1000), 0);
}

function matches(r: PrefixRule, key: readonly string[], words: Uint32Array): boolean {
  for (let i = 0; i < r.cidrs.length; i++) {
    const c = r.cidrs[i];
    const k = key[i] ?? "";
    if (!c) {
      if (r.texts[i] !== k) return false;
      continue;
    }
    const family = parseAddressWords(k, words);
    if (!cidrContains(c, family, words)) return false;
  }
  return true;
}

/** Loads the file, or returns `prev` unchanged when the file has not changed since. */
export function loadOverrides(
  file: string,
  keyCount: number,
  defaults: Thresholds,
  values: readonly ValueName[],
  prev?: LimitOverrides,
): LimitOverrides {
  let st: { mtimeMs: number; size: number };
  try {
    st = statSync(file);
  } catch (e) {
    throw new XenoflowError("E_INPUT", `${file}: ${(e as Error).message}`);
  }
  if (prev && prev.mtimeMs === st.mtimeMs && prev.size === st.size) return prev;
  const parsed = parseOverrides(file, readFileSync(file, "utf8"), keyCount, defaults, values);
  return { ...parsed, mtimeMs: st.mtimeMs, size: st.size };
}
