// Version, commit and source date of the tree being built: what `xenoflow version` reports and what
// fixes the tarballs' timestamps.
import { join } from "node:path";

export interface BuildInfo {
  version: string; // package.json
  commit: string; // 12-hex short commit, "-dirty" when tracked files differ from it; "unknown" outside git
  sourceDate: number; // epoch seconds: SOURCE_DATE_EPOCH, else the commit date, else 0
  bunVersion: string; // the pinned Bun (node_modules/bun/package.json)
}

function git(root: string, args: string[]): { ok: boolean; out: string } {
  try {
    const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "ignore" });
    return { ok: r.exitCode === 0, out: r.stdout.toString().trim() };
  } catch {
    return { ok: false, out: "" }; // no git binary
  }
}

async function readJsonVersion(file: string): Promise<string> {
  const v: unknown = (await Bun.file(file).json()).version;
  if (typeof v !== "string" || v === "") throw new Error(`${file}: no "version"`);
  return v;
}

export async function buildInfo(root: string): Promise<BuildInfo> {
  const version = await readJsonVersion(join(root, "package.json"));
  const bunVersion = await readJsonVersion(join(root, "node_modules/bun/package.json"));
  const head = git(root, ["rev-parse", "--short=12", "HEAD"]);
  // `git diff --quiet` reads only; `git status` could rewrite the index under other people's feet.
  const dirty = head.ok && !git(root, ["diff", "--no-ext-diff", "--quiet", "HEAD", "--"]).ok;
  const commit = head.ok ? head.out + (dirty ? "-dirty" : "") : "unknown";
  return { version, commit, sourceDate: sourceDate(root, head.ok), bunVersion };
}

function sourceDate(root: string, inGit: boolean): number {
  // reproducible-builds.org convention: a packager's SOURCE_DATE_EPOCH wins.
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env && /^\d+$/.test(env)) return Number(env);
  if (inGit) {
    const d = git(root, ["log", "-1", "--format=%ct"]);
    if (d.ok && /^\d+$/.test(d.out)) return Number(d.out);
  }
  return 0;
}

/** `--define` values: JSON-quoted so they land in the bundle as string literals (src/version.ts). */
export function defines(info: BuildInfo, target: string): string[] {
  const d = { XENOFLOW_VERSION: info.version, XENOFLOW_COMMIT: info.commit, XENOFLOW_TARGET: target };
  return Object.entries(d).flatMap(([k, v]) => ["--define", `${k}=${JSON.stringify(v)}`]);
}
