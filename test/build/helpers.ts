// Shared by the build tests: the checkout root, running make without reinstalling node_modules
// under other people's feet, and the host binary built once per test process.
import { cpSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";

export const ROOT = dirname(dirname(import.meta.dir));
export const BUN = process.execPath;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const r = Bun.spawnSync(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const SNAPSHOT_FILES = [
  "Makefile", "src", "scripts", "config", "systemd", "sql", "docs", "README.md", "LICENSE",
  "package.json", "package-lock.json", "tsconfig.json",
];

/**
 * A copy of what a build reads, in `dir`, sharing node_modules: other work going on in this
 * checkout's src/ cannot change the sources between two builds a test compares.
 */
export function snapshot(dir: string): string {
  for (const p of SNAPSHOT_FILES) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** make in the checkout; -o keeps `deps` from running npm ci when node_modules is already there. */
export function make(args: string[], env: Record<string, string> = {}, cwd = ROOT): Run {
  return run(["make", "--no-print-directory", "-o", "node_modules/.installed", ...args], { env, cwd });
}

let built: string | undefined;

/** dist/xenoflow, built through `make build` the first time a test asks for it. */
export function hostBinary(): string {
  if (built) return built;
  const r = make(["build"]);
  if (r.code !== 0) throw new Error(`make build failed:\n${r.stderr}${r.stdout}`);
  built = join(ROOT, "dist/xenoflow");
  return built;
}

export function which(name: string): string | undefined {
  return Bun.which(name) ?? undefined;
}
