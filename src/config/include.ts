// `include = ["mo.d/*.toml"]`: patterns relative to the including file, expanded with Bun.Glob in
// sorted order so that the object order (and so the summary) does not depend on the directory.
// A glob matching nothing is fine (an empty mo.d/); a literal path that is missing is a mistake.
import { existsSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { nonEmpty } from "./parsers.ts";
import type { Reader } from "./reader.ts";

const GLOB_CHARS = /[*?[\]{}]/;

export function expandIncludes(t: Reader): string[] {
  const dir = dirname(t.src.file);
  const files: string[] = [];
  t.list("include", nonEmpty, []).forEach((pattern, n) => {
    const full = resolve(dir, pattern);
    if (!GLOB_CHARS.test(pattern)) {
      if (existsSync(full)) files.push(full);
      else t.report(`include[${n}]`, `\`include\`: no such file: ${full}`);
      return;
    }
    // Bun.Glob matches relative to a cwd: split off the directory part that holds no glob.
    const parts = full.split(sep);
    const first = parts.findIndex((p) => GLOB_CHARS.test(p));
    const base = parts.slice(0, first).join(sep) || sep;
    const rest = parts.slice(first).join("/");
    if (!existsSync(base)) return;
    const matched = [...new Bun.Glob(rest).scanSync({ cwd: base, absolute: true, onlyFiles: true })];
    files.push(...matched.sort());
  });
  return [...new Set(files)].filter((f) => f !== t.src.file);
}
