// Which table a report reads and what it may ask of it, from the validated config: the window's
// table, its key columns (named and typed exactly as the store created them) and its values.
import type { Config, ValueName } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import { ianaLookup } from "../expressions.ts";
import { enrichNames } from "../enrich/names.ts";
import { parseKey } from "../monitor/keyspec.ts";
import type { KeyColumn } from "../flow/export.ts";

export interface Target {
  table: string;
  keys: readonly KeyColumn[];
  values: readonly ValueName[];
  /** The window length in seconds: the default series bucket. */
  every: number;
}

export function resolveTarget(config: Config, moName: string, windowName: string): Target {
  const mo = config.mos.find((m) => m.name === moName);
  if (!mo) throw new XenoflowError("E_USAGE", `unknown monitoring object "${moName}"; the config has: ${list(config.mos.map((m) => m.name))}`);
  const win = mo.windows.find((w) => w.name === windowName);
  if (!win) {
    throw new XenoflowError("E_USAGE", `monitoring object "${moName}" has no window "${windowName}"; it has: ${list(mo.windows.map((w) => w.name))}`);
  }
  const keys = win.key.map((text) => {
    const spec = parseKey(text, config.fields, ianaLookup, enrichNames(config));
    // The loader validated every key with the same parser, so this is a bug, not the user's input.
    if ("error" in spec) throw new XenoflowError("E_INTERNAL", spec.error);
    return spec.column;
  });
  return { table: `${mo.name}_${win.name}`, keys, values: win.values, every: win.every };
}

/** The value to rank or chart by: one of the window's values, the first one when not given. */
export function pickValue(target: Target, value: string | undefined, flag: string): ValueName {
  if (value === undefined || value === "") {
    const first = target.values[0];
    if (first === undefined) throw new XenoflowError("E_INTERNAL", `window ${target.table} has no values`);
    return first;
  }
  const found = target.values.find((v) => v === value);
  if (!found) throw new XenoflowError("E_USAGE", `${flag} "${value}": window ${target.table} has values ${list(target.values)}`);
  return found;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? "(none)" : names.join(", ");
}
