// Inline config trees for tests: each call gets its own fresh temp directory.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Writes `files` (relative path -> text; a leading "#!" makes it executable) under a new dir. */
export function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "xenoflow-config-"));
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    if (text.startsWith("#!")) chmodSync(abs, 0o755);
  }
  return dir;
}
