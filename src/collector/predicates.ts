// Compiles every monitoring object's filter once, against the batch layout the pipeline uses.
// `@name` address lists are files `lists/<name>.txt` beside the main config file, one CIDR a line.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Cidr, Config } from "../config/types.ts";
import { enrichNames } from "../enrich/names.ts";
import { ConfigError, XenoflowError } from "../errors.ts";
import { DNS_NAME_COLUMN, type ExtraSpec, SNI_COLUMN } from "../flow/batch.ts";
import type { FilterNode } from "../filter/ast.ts";
import { compileFilter, compileSelect, parseFilter } from "../filter/index.ts";
import type { Predicate } from "../monitor/mo.ts";
import { parseCidr } from "../net/address.ts";

/** The batch's extra columns: every [[field]], the IANA elements keys read, the payload names filters read. */
export function extrasFor(config: Config, required: readonly ExtraSpec[]): ExtraSpec[] {
  const out: ExtraSpec[] = config.fields.map((f) => ({ pen: f.pen, element: f.element, type: f.type }));
  for (const r of [...required, ...payloadNamesInFilters(config)]) if (!out.some((o) => o.pen === r.pen && o.element === r.element)) out.push(r);
  return out;
}

/** The sFlow payload-name columns (`dns name`, `sni`) any monitoring object's filter tests. */
function payloadNamesInFilters(config: Config): ExtraSpec[] {
  const used = new Set<string>();
  const walk = (n: FilterNode): void => {
    if (n.kind === "match") used.add(n.field);
    else if (n.kind === "not") walk(n.arg);
    else if (n.kind === "and" || n.kind === "or") {
      walk(n.left);
      walk(n.right);
    }
  };
  for (const mo of config.mos) {
    const r = parseFilter(mo.filter, config.fields);
    if (r.ok) walk(r.ast);
  }
  return [...(used.has("dns name") ? [DNS_NAME_COLUMN] : []), ...(used.has("sni") ? [SNI_COLUMN] : [])];
}

export function readAddressList(file: string): Cidr[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new XenoflowError("E_INPUT", `address list ${file}: ${(e as Error).message}`);
  }
  return text.split(/\r?\n/).flatMap((raw, n) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return [];
    const c = parseCidr(line);
    if (typeof c === "string") throw new XenoflowError("E_INPUT", `${file}:${n + 1}: ${c}`);
    return [c];
  });
}

export function compilePredicates(config: Config, extras: readonly ExtraSpec[]): Map<string, Predicate> {
  const dir = dirname(config.file);
  const lists = new Map<string, Cidr[]>();
  const ctx = {
    fields: config.fields,
    names: enrichNames(config),
    extraIndex: (pen: number, element: number) => extras.findIndex((e) => e.pen === pen && e.element === element),
    list: (name: string) => {
      let l = lists.get(name);
      if (!l) {
        l = readAddressList(join(dir, "lists", `${name}.txt`));
        lists.set(name, l);
      }
      return l;
    },
  };
  const out = new Map<string, Predicate>();
  for (const mo of config.mos) {
    if (mo.filter.trim() === "") continue;
    const r = parseFilter(mo.filter, config.fields);
    if (!r.ok) throw new ConfigError([{ file: config.file, path: `mo ${mo.name}, filter`, message: `col ${r.col}: ${r.message}` }]);
    try {
      // The monitor runs the select loop; the predicate stays for per-record callers.
      out.set(mo.name, Object.assign(compileFilter(r.ast, ctx), { select: compileSelect(r.ast, ctx) }));
    } catch (e) {
      if (e instanceof XenoflowError) throw new ConfigError([{ file: config.file, path: `mo ${mo.name}, filter`, message: e.message }]);
      throw e;
    }
  }
  return out;
}
