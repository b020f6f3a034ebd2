// A Worker file missing from the compile's entry points works from the checkout and fails only in
// the compiled binary; this catches it at test time instead of on a board.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ENTRY_POINTS, MAIN_ENTRY, WORKER_ENTRIES } from "../../scripts/targets.ts";
import { ROOT } from "./helpers.ts";

// new Worker("./x.ts") or new Worker(new URL("./x.ts", import.meta.url)): relative to the file.
const WORKER_CALL = /new\s+Worker\s*\(\s*(?:new\s+URL\s*\(\s*)?["'`]([^"'`]+)["'`]/g;
// workerPath("decode/x.ts"): relative to src/, the one spelling that also works once compiled
// (docs/INSTALL.md, "Workers in the compiled binary").
const WORKER_PATH_CALL = /workerPath\s*\(\s*["'`]([^"'`]+)["'`]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.[cm]?[jt]s$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every file src/ starts as a Worker, as a path relative to the checkout. */
function workersStarted(srcDir: string): string[] {
  const found = new Set<string>();
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(WORKER_CALL)) found.add(relative(ROOT, resolve(dirname(file), m[1] ?? "")));
    for (const m of text.matchAll(WORKER_PATH_CALL)) found.add(relative(ROOT, resolve(srcDir, m[1] ?? "")));
  }
  return [...found].sort();
}

describe("compile entry points", () => {
  test("the CLI comes first and every listed entry point exists", () => {
    expect(ENTRY_POINTS[0]).toBe(MAIN_ENTRY);
    expect(ENTRY_POINTS.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  test("every Worker that src/ starts is listed in scripts/targets.ts WORKER_ENTRIES", () => {
    expect(workersStarted(join(ROOT, "src")).filter((w) => !WORKER_ENTRIES.includes(w))).toEqual([]);
  });

  test("the scan finds every spelling of a Worker start", () => {
    const dir = join(ROOT, "test/build/fixtures/workers");
    expect(workersStarted(dir)).toEqual([
      "test/build/fixtures/workers/a.ts",
      "test/build/fixtures/workers/decode/c.ts",
      "test/build/fixtures/workers/sub/b.ts",
    ]);
  });
});
