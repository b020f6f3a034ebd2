// Where a worker entry lives, from the checkout or from inside the compiled binary
// (docs/INSTALL.md, "Workers in the compiled binary").
import { join } from "node:path";

// In the compiled binary every module reports the bundle root (/$bunfs/root, which holds what was
// src/) as its directory; from the checkout this file's directory is src/workers, one below src/.
const SRC_DIR = import.meta.dir.startsWith("/$bunfs/") ? import.meta.dir : join(import.meta.dir, "..");

/** Path of a worker entry given relative to src/ (e.g. "workers/thread.ts"). */
export function workerPath(fromSrc: string): string {
  return join(SRC_DIR, fromSrc);
}
