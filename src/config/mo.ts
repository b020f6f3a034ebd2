// One `[[mo]]` with its windows, moving averages and limits, read on its own. References between
// objects (parents, `enable`) are checked in refs.ts once every file has been read.
import type { ExpressionChecker } from "./expressions.ts";
import { executableProblem, readableProblem, resolveFrom } from "./files.ts";
import { joinPath } from "./locate.ts";
import { bool, duration, int, name, nonEmpty, oneOf, positive, str, wholeSeconds } from "./parsers.ts";
import { type Reader, issueAt } from "./reader.ts";
import type { FieldDef, LimitDef, MavgDef, MoDef, ValueName, WindowDef } from "./types.ts";

export const MO_KEYS = ["name", "parent", "filter", "window", "mavg"] as const;
const WINDOW_KEYS = ["name", "every", "key", "values", "top", "extended"] as const;
const MAVG_KEYS = ["name", "window", "key", "values", "max_keys", "limit"] as const;
const VALUES: readonly ValueName[] = ["octets", "packets", "bits", "flows"];
const LIMIT_KEYS = ["name", ...VALUES, "file", "on_exceed", "on_normal", "normal_after", "enable", "below"] as const;

export interface MoContext {
  dir: string; // paths are relative to the main config file's directory
  fields: readonly FieldDef[];
  expressions: ExpressionChecker | undefined;
}

/** A read object, with the readers that locate its parts for later cross-checks. */
export interface MoDraft {
  def: MoDef;
  r: Reader;
  windows: { def: WindowDef; r: Reader }[];
  limits: { def: LimitDef; r: Reader }[];
}

export function readMo(t: Reader, ctx: MoContext): MoDraft {
  const filter = t.opt("filter", str, "");
  if (filter.trim() !== "" && ctx.expressions) {
    const err = ctx.expressions.filter(filter, ctx.fields);
    if (err) {
      const issue = issueAt(t.src, joinPath(t.path, "filter"), `filter: ${err.message}`);
      // The value position is the opening quote; the checker counts from the first character.
      if (issue.col !== undefined) issue.col += err.col;
      t.issues.push(issue);
    }
  }
  const windows = unique(t.tables("window", WINDOW_KEYS), "window").map((w) => ({ def: readWindow(w, ctx), r: w }));
  const limits: MoDraft["limits"] = [];
  const mavgs = unique(t.tables("mavg", MAVG_KEYS), "mavg").map((m) => readMavg(m, ctx, limits));
  const def: MoDef = {
    name: t.req("name", name) ?? "",
    parent: t.opt("parent", name, null as string | null),
    filter,
    windows: windows.map((w) => w.def),
    mavgs,
  };
  return { def, r: t, windows, limits };
}

/** Reports a second table of the same name; returns the tables unchanged. */
function unique(tables: Reader[], what: string): Reader[] {
  const seen = new Set<unknown>();
  for (const t of tables) {
    const n = t.raw("name");
    if (typeof n === "string" && seen.has(n)) t.report("name", `\`name\`: duplicate ${what} name "${n}"`);
    seen.add(n);
  }
  return tables;
}

function readKey(t: Reader, ctx: MoContext): string[] {
  const items = t.items("key", nonEmpty);
  const seen = new Set<string>();
  for (const { value: k, at } of items) {
    if (seen.has(k)) t.report(at, `\`key\`: "${k}" appears twice`);
    seen.add(k);
    const err = ctx.expressions?.key(k, ctx.fields);
    if (err) t.report(at, `\`key\`: ${err}`);
  }
  return items.map((x) => x.value);
}

function readValues(t: Reader, def: readonly ValueName[] | null): ValueName[] {
  if (def === null && !t.has("values")) {
    t.report("", `missing \`values\` (any of ${VALUES.join(", ")})`, "key");
    return [];
  }
  if (!t.has("values")) return [...(def ?? [])];
  const items = t.items("values", oneOf(VALUES));
  const raw = t.raw("values");
  if (Array.isArray(raw) && raw.length === 0) t.report("values", `\`values\`: must name at least one of ${VALUES.join(", ")}`);
  const values: ValueName[] = [];
  for (const { value, at } of items) {
    if (values.includes(value)) t.report(at, `\`values\`: "${value}" appears twice`);
    else values.push(value);
  }
  return values;
}

function readWindow(t: Reader, ctx: MoContext): WindowDef {
  return {
    name: t.req("name", name) ?? "",
    every: t.req("every", wholeSeconds(1)) ?? 0,
    key: readKey(t, ctx),
    values: readValues(t, null),
    top: t.opt("top", int(0), 0),
    extended: t.opt("extended", bool, false),
  };
}

function readMavg(t: Reader, ctx: MoContext, limitsOut: MoDraft["limits"]): MavgDef {
  const values = readValues(t, ["bits", "packets"]);
  const mavgName = typeof t.raw("name") === "string" ? (t.raw("name") as string) : "?";
  const limits = unique(t.tables("limit", LIMIT_KEYS), "limit").map((l) => {
    const def = readLimit(l, ctx, mavgName, values);
    limitsOut.push({ def, r: l });
    return def;
  });
  return {
    name: t.req("name", name) ?? "",
    window: t.req("window", duration(0.1)) ?? 0,
    key: readKey(t, ctx),
    values,
    maxKeys: t.opt("max_keys", int(1), 100000),
    limits,
  };
}

function readLimit(t: Reader, ctx: MoContext, mavg: string, values: readonly ValueName[]): LimitDef {
  const thresholds: Partial<Record<ValueName, number>> = {};
  // In the mavg's value order, so summaries and alerts list thresholds as the mavg does.
  for (const v of [...values, ...VALUES.filter((x) => !values.includes(x))]) {
    if (!t.has(v)) continue;
    const n = t.opt(v, positive, 0);
    if (!values.includes(v)) t.report(v, `\`${v}\`: mavg "${mavg}" has no value "${v}" (its values: ${values.join(", ")})`, "key");
    else if (n > 0) thresholds[v] = n;
  }
  const path = (key: string, check: (abs: string) => string | null): string | null => {
    const p = t.opt(key, nonEmpty, "");
    if (p === "") return null;
    const abs = resolveFrom(ctx.dir, p);
    const problem = check(abs);
    if (problem) t.report(key, `\`${key}\`: ${problem}`);
    return abs;
  };
  const file = path("file", readableProblem);
  if (!VALUES.some((v) => t.has(v)) && !t.has("file")) {
    t.report("", `a limit needs a threshold (${values.join(", ")}) or a \`file\``, "key");
  }
  return {
    name: t.req("name", name) ?? "",
    thresholds,
    file,
    onExceed: path("on_exceed", executableProblem),
    onNormal: path("on_normal", executableProblem),
    normalAfter: t.opt("normal_after", duration(0), 30),
    enable: t.list("enable", nonEmpty, []),
    below: t.opt("below", bool, false),
  };
}
