// Template state on disk: <data_dir>/templates.json, written to a temporary file with mode 0600
// and renamed over the old one, so a crash leaves either the old or the new state, never half.
// Not in decode/ (a pure wire library: no I/O) nor in one engine: the single-thread collector and
// the worker pool both load this file.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { XenoflowError } from "../errors.ts";

export const TEMPLATES_FILE = "templates.json";

export function saveTemplates(dataDir: string, snapshot: unknown): void {
  const path = join(dataDir, TEMPLATES_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(snapshot));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw new XenoflowError("E_INPUT", `cannot save templates to ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The saved snapshot; null when there is none yet. A file that is not JSON is reported as
 * E_INPUT: the caller logs it and starts without templates (exporters resend them).
 */
export function loadTemplates(dataDir: string): unknown {
  const path = join(dataDir, TEMPLATES_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new XenoflowError("E_INPUT", `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new XenoflowError("E_INPUT", `${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
