// Inline config trees for tests: each call gets its own fresh temp directory, removed after the
// last test file (test/support/preload.ts).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const made: string[] = [];

/** Removes every tree written so far. */
export function removeTrees(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Writes `files` (relative path -> text; a leading "#!" makes it executable) under a new dir. */
export function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "xenoflow-config-"));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    if (text.startsWith("#!")) chmodSync(abs, 0o755);
  }
  return dir;
}
