// Reading one TOML table into typed values while collecting every problem instead of stopping at
// the first: each getter reports a located issue and hands back its default, so validation goes on
// and the user sees all mistakes in one run.
import type { ConfigIssue } from "../errors.ts";
import { type SourceMap, indexPath, joinPath } from "./locate.ts";
import { didYouMean } from "./suggest.ts";

/** One parsed TOML file. */
export interface Source {
  file: string; // absolute
  map: SourceMap;
}

export type Issues = ConfigIssue[];

/** A value parser: the value, or an `Invalid` saying what was expected. */
export type Parse<T> = (v: unknown) => T | Invalid;
export interface Invalid {
  readonly invalid: string;
}
export const invalid = (message: string): Invalid => ({ invalid: message });
export const isInvalid = (x: unknown): x is Invalid =>
  typeof x === "object" && x !== null && "invalid" in x && Object.keys(x).length === 1;

export function issueAt(src: Source, path: string, message: string, part: "key" | "value" = "value"): ConfigIssue {
  const at = src.map.get(path);
  return at ? { file: src.file, line: at[part].line, col: at[part].col, message } : { file: src.file, path, message };
}

export function describe(v: unknown): string {
  if (typeof v === "string") return `string "${v}"`;
  if (typeof v === "number") return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
  if (typeof v === "boolean") return `boolean ${v}`;
  if (Array.isArray(v)) return "an array";
  if (v instanceof Date) return "a date";
  if (typeof v === "object" && v !== null) return "a table";
  return String(v);
}

export const isTable = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

export interface Reader {
  readonly src: Source;
  readonly path: string;
  readonly issues: Issues;
  has(key: string): boolean;
  raw(key: string): unknown;
  /** Report a problem at `key` (a key of this table, or "" for the table itself). */
  report(key: string, message: string, part?: "key" | "value"): void;
  opt<T>(key: string, parse: Parse<T>, def: T): T;
  req<T>(key: string, parse: Parse<T>): T | undefined;
  list<T>(key: string, parse: Parse<T>, def: readonly T[]): T[];
  /** The valid elements of an array with their index in the file, for later located checks. */
  items<T>(key: string, parse: Parse<T>): { value: T; at: string }[];
  table(key: string, keys: readonly string[]): Reader;
  tables(key: string, keys: readonly string[]): Reader[];
}

/** A reader over `raw` at `path`; keys outside `keys` are reported as unknown. */
export function reader(src: Source, path: string, raw: Record<string, unknown>, keys: readonly string[], issues: Issues): Reader {
  const at = (key: string): string => (key === "" ? path : joinPath(path, key));
  const report = (key: string, message: string, part: "key" | "value" = "value"): void => {
    issues.push(issueAt(src, at(key), message, part));
  };
  for (const k of Object.keys(raw)) {
    if (!keys.includes(k)) report(k, `unknown key \`${k}\`${didYouMean(k, keys)}`, "key");
  }
  const parsed = <T>(key: string, parse: Parse<T>): T | undefined => {
    const r = parse(raw[key]);
    if (isInvalid(r)) {
      report(key, `\`${key}\`: ${r.invalid}`);
      return undefined;
    }
    return r;
  };
  const self: Reader = {
    src,
    path,
    issues,
    has: (key) => raw[key] !== undefined,
    raw: (key) => raw[key],
    report,
    opt: (key, parse, def) => (raw[key] === undefined ? def : (parsed(key, parse) ?? def)),
    req(key, parse) {
      if (raw[key] !== undefined) return parsed(key, parse);
      report("", `missing \`${key}\``, "key");
      return undefined;
    },
    list<T>(key: string, parse: Parse<T>, def: readonly T[]): T[] {
      return raw[key] === undefined ? [...def] : self.items(key, parse).map((x) => x.value);
    },
    items<T>(key: string, parse: Parse<T>): { value: T; at: string }[] {
      const v = raw[key];
      if (v === undefined) return [];
      if (!Array.isArray(v)) {
        report(key, `\`${key}\`: expected an array, found ${describe(v)}`);
        return [];
      }
      const out: { value: T; at: string }[] = [];
      v.forEach((item, n) => {
        const r = parse(item);
        const itemAt = `${key}[${n}]`;
        if (isInvalid(r)) report(itemAt, `\`${key}\`: ${r.invalid}`);
        else out.push({ value: r, at: itemAt });
      });
      return out;
    },
    table(key, subKeys) {
      const v = raw[key];
      if (v === undefined || isTable(v)) return reader(src, at(key), v ?? {}, subKeys, issues);
      report(key, `expected a table [${at(key)}], found ${describe(v)}`);
      return reader(src, at(key), {}, subKeys, issues);
    },
    tables(key, subKeys) {
      const v = raw[key];
      if (v === undefined) return [];
      if (!Array.isArray(v) || !v.every(isTable)) {
        report(key, `expected an array of tables [[${at(key)}]], found ${isTable(v) ? "a table" : describe(v)}`);
        return [];
      }
      return v.map((t, n) => reader(src, indexPath(at(key), n), t as Record<string, unknown>, subKeys, issues));
    },
  };
  return self;
}
