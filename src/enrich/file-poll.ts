// Watching a file enrichment reads (a database, the networks CSV) for replacement. Polled with
// stat rather than fs.watch: such files are usually replaced by a download-then-rename, which
// some watchers lose, and a stat every few seconds costs nothing. The file is read
// asynchronously, so receive never pauses; a failure to read is one log line until it changes.
import { readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";

export interface FilePoll {
  /** Stats the file and, when it changed, reads it and hands it to `load`; its answer, else false. */
  check(): Promise<boolean>;
  close(): void;
}

const signature = (s: { mtimeMs: number; size: number; ino: number }): string => `${s.mtimeMs}/${s.size}/${s.ino}`;
const MISSING = "missing";

/** The file now, for the first load: its bytes, or why not. `sig` seeds pollFile. */
export function readFileNow(path: string): { buf: Buffer; sig: string } | { err: unknown; sig: string } {
  try {
    const sig = signature(statSync(path));
    return { buf: readFileSync(path), sig };
  } catch (err) {
    return { err, sig: MISSING };
  }
}

/**
 * Polls `path` every `pollMs`. `seen`: the signature of the version already loaded ("" for
 * none). `load` takes a changed file (true when it is now in use); `failed` is told once per
 * distinct failure to stat or read it.
 */
export function pollFile(path: string, pollMs: number, seen: string, load: (buf: Buffer) => boolean, failed: (err: unknown) => void): FilePoll {
  let checking: Promise<boolean> | null = null;
  const fail = (err: unknown, sig: string): false => {
    if (sig !== seen) failed(err);
    seen = sig;
    return false;
  };
  async function reload(): Promise<boolean> {
    let sig: string;
    try {
      sig = signature(await stat(path));
    } catch (err) {
      return fail(err, MISSING);
    }
    if (sig === seen) return false;
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (err) {
      return fail(err, sig);
    }
    // Seen even when `load` refuses it: a bad file is reported once, not at every poll.
    seen = sig;
    return load(buf);
  }
  const timer = setInterval(() => void poll.check(), pollMs);
  timer.unref?.();
  const poll: FilePoll = {
    check() {
      checking ??= reload().finally(() => {
        checking = null;
      });
      return checking;
    },
    close: () => clearInterval(timer),
  };
  return poll;
}

/** "no such file" or the error's message, for a log line. */
export function readError(err: unknown): string {
  return (err as { code?: string }).code === "ENOENT" ? "no such file" : (err as Error).message;
}
