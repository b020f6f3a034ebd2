// Which of the stage's lookups anything reads. The enrichment columns are read only by the
// monitoring objects' filters and keys, so a side whose country, AS, network and role nothing
// tests or keys by is not looked up at all (half the stage's cost when only `dst as` is used),
// and interface roles are matched only when a filter or key reads them or `skip_unmarked` drops by them.
import type { Config } from "../config/types.ts";
import type { FilterNode } from "../filter/ast.ts";
import { parseFilter } from "../filter/index.ts";

export interface EnrichNeeds {
  /** The source address's country, AS, network or role. */
  readonly src: boolean;
  readonly dst: boolean;
  /** `in role` / `out role`. */
  readonly ifRoles: boolean;
}

type NeedsSource = Pick<Config, "mos" | "fields" | "enrich" | "exporters">;

export function enrichNeeds(config: NeedsSource): EnrichNeeds {
  const asFromDb = config.enrich.asSource !== "exporter";
  const side = { src: false, dst: false, in: false, out: false };
  const use = (dir: keyof typeof side | null, field: string): void => {
    if (field === "as" && !asFromDb) return;
    if (field !== "country" && field !== "network" && field !== "role" && field !== "as") return;
    if (dir !== null) side[dir] = true;
    else {
      side.src = side.dst = true;
      if (field === "role") side.in = side.out = true;
    }
  };
  const walk = (n: FilterNode): void => {
    if (n.kind === "match") use(n.dir, n.field);
    else if (n.kind === "not") walk(n.arg);
    else if (n.kind === "and" || n.kind === "or") {
      walk(n.left);
      walk(n.right);
    }
  };
  for (const mo of config.mos) {
    const r = parseFilter(mo.filter, config.fields);
    if (r.ok) walk(r.ast);
    for (const key of [...mo.windows, ...mo.mavgs].flatMap((w) => w.key)) {
      const m = /^(src|dst|in|out) (country|as|network|role)$/.exec(key.trim().replace(/\s+/g, " ").toLowerCase());
      if (m) use(m[1] as keyof typeof side, m[2]!);
    }
  }
  return {
    src: side.src,
    dst: side.dst,
    ifRoles: side.in || side.out || config.exporters.some((e) => e.skipUnmarked),
  };
}
