// Version and commit, baked in at build time by `bun build --define` (see Makefile); a run from
// the checkout reads package.json and git instead.
import pkg from "../package.json" with { type: "json" };

declare const XENOFLOW_VERSION: string | undefined;
declare const XENOFLOW_COMMIT: string | undefined;
declare const XENOFLOW_TARGET: string | undefined;

export const VERSION: string = typeof XENOFLOW_VERSION === "string" ? XENOFLOW_VERSION : pkg.version;

export function commit(): string {
  if (typeof XENOFLOW_COMMIT === "string") return XENOFLOW_COMMIT;
  try {
    const r = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: import.meta.dir, stderr: "ignore" });
    return r.exitCode === 0 ? r.stdout.toString().trim() : "unknown";
  } catch {
    return "unknown"; // no git, or a binary compiled without --define whose directory is /$bunfs
  }
}

export function target(): string {
  if (typeof XENOFLOW_TARGET === "string") return XENOFLOW_TARGET;
  return `${process.platform}-${process.arch} (source)`;
}
