// Files the config points at (scripts, limit CSVs, secrets). Relative paths are taken from the
// main config file's directory, not the cwd, so a config behaves the same wherever it is run from.
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

export function resolveFrom(dir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dir, path);
}

function kind(abs: string): "file" | "other" | "missing" {
  try {
    return statSync(abs).isFile() ? "file" : "other";
  } catch {
    return "missing";
  }
}

/** null when `abs` is a regular file this process can execute; else what is wrong. */
export function executableProblem(abs: string): string | null {
  const k = kind(abs);
  if (k === "missing") return `no such file: ${abs}`;
  if (k === "other") return `not a regular file: ${abs}`;
  try {
    accessSync(abs, constants.X_OK);
    return null;
  } catch {
    return `not executable: ${abs} (chmod +x it)`;
  }
}

/** null when `abs` is a readable regular file; else what is wrong. */
export function readableProblem(abs: string): string | null {
  const k = kind(abs);
  if (k === "missing") return `no such file: ${abs}`;
  if (k === "other") return `not a regular file: ${abs}`;
  try {
    accessSync(abs, constants.R_OK);
    return null;
  } catch {
    return `not readable: ${abs}`;
  }
}

/** A secret kept in its own file: the contents without the trailing newline; or what is wrong. */
export function readSecret(abs: string): { value: string } | { problem: string } {
  const p = readableProblem(abs);
  if (p) return { problem: p };
  const value = readFileSync(abs, "utf8").replace(/\r?\n$/, "");
  return value === "" ? { problem: `empty file: ${abs}` } : { value };
}
