// References between monitoring objects, checked once every file is read: unique names, parents
// that exist and form no cycle, `enable` naming an extended window. Returns the objects with
// parents before children, the order the monitor builds its tree in.
import type { MoDraft } from "./mo.ts";
import { didYouMean } from "./suggest.ts";
import type { MoDef } from "./types.ts";

export function checkRefs(drafts: readonly MoDraft[]): MoDef[] {
  const byName = new Map<string, MoDraft>();
  for (const d of drafts) {
    const n = d.def.name;
    if (n === "") continue;
    if (byName.has(n)) d.r.report("name", `\`name\`: duplicate mo name "${n}"`);
    else byName.set(n, d);
  }
  const names = [...byName.keys()];

  for (const d of drafts) {
    const p = d.def.parent;
    if (p !== null && !byName.has(p)) d.r.report("parent", `\`parent\`: no mo named "${p}"${didYouMean(p, names)}`);
  }
  checkCycles(drafts, byName);

  for (const d of drafts) {
    for (const { def: limit, r } of d.limits) {
      limit.enable.forEach((ref, n) => {
        const problem = enableProblem(ref, byName);
        if (problem) r.report(`enable[${n}]`, `\`enable\`: ${problem}`);
      });
    }
  }
  return parentsFirst(drafts.map((d) => d.def));
}

function checkCycles(drafts: readonly MoDraft[], byName: ReadonlyMap<string, MoDraft>): void {
  const reported = new Set<string>();
  for (const d of drafts) {
    const chain: string[] = [];
    let cur: MoDraft | undefined = d;
    while (cur && !chain.includes(cur.def.name) && !reported.has(cur.def.name)) {
      chain.push(cur.def.name);
      cur = cur.def.parent === null ? undefined : byName.get(cur.def.parent);
    }
    if (!cur || reported.has(cur.def.name)) continue;
    const cycle = chain.slice(chain.indexOf(cur.def.name));
    for (const n of cycle) reported.add(n);
    const message =
      cycle.length === 1
        ? `\`parent\`: mo "${cur.def.name}" is its own parent`
        : `\`parent\`: parent cycle ${[...cycle, cur.def.name].join(" -> ")}`;
    cur.r.report("parent", message);
  }
}

function enableProblem(ref: string, byName: ReadonlyMap<string, MoDraft>): string | null {
  const m = /^([^/]+)\/([^/]+)$/.exec(ref);
  if (!m) return `expected "mo/window", found "${ref}"`;
  const [, moName = "", windowName = ""] = m;
  const mo = byName.get(moName);
  if (!mo) return `no mo named "${moName}"${didYouMean(moName, byName.keys())}`;
  const w = mo.def.windows.find((x) => x.name === windowName);
  if (!w) {
    return `mo "${moName}" has no window "${windowName}"${didYouMean(windowName, mo.def.windows.map((x) => x.name))}`;
  }
  return w.extended ? null : `window "${ref}" is not extended (set extended = true on it)`;
}

/** Stable: objects keep their file order except that each parent comes before its children. */
function parentsFirst(mos: readonly MoDef[]): MoDef[] {
  const out: MoDef[] = [];
  const placed = new Set<string>();
  let left = [...mos];
  while (left.length > 0) {
    const ready = left.filter((m) => m.parent === null || placed.has(m.parent));
    if (ready.length === 0) break; // cycles and missing parents, already reported
    for (const m of ready) {
      out.push(m);
      placed.add(m.name);
    }
    left = left.filter((m) => !placed.has(m.name));
  }
  return out;
}
