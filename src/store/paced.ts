// Window exports handed to the store one per event-loop turn. A window close renders and spools
// thousands of rows; on the thread that also receives, done in one piece it holds the loop long
// enough for the kernel's receive buffer to overflow. The first close after a start runs cold
// code: ~100 ms for the benchmark's two windows (55 ms rendering, 44 ms spooling), and with a
// 4 MiB buffer the kernel dropped ~2 000 datagrams at 1 M flows/s. Written one per turn, each
// export waits behind the receiver's next read.
import type { WindowExport } from "./sink.ts";

export interface PacedWriter {
  /** Queues exports (oldest first); they are written in later turns, one per turn. */
  push(exports: readonly WindowExport[]): void;
  /** Writes everything queued now, in order (before a reload's own exports, and at stop). */
  flush(): void;
  readonly pending: number;
}

export function createPacedWriter(write: (e: WindowExport) => void, later: (f: () => void) => void = (f) => void setTimeout(f, 0)): PacedWriter {
  const queue: WindowExport[] = [];
  let scheduled = false;
  const next = () => {
    scheduled = false;
    const e = queue.shift();
    if (e !== undefined) write(e);
    schedule();
  };
  const schedule = () => {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    later(next);
  };
  return {
    push(exports) {
      for (const e of exports) queue.push(e);
      schedule();
    },
    flush() {
      for (const e of queue.splice(0)) write(e);
    },
    get pending() {
      return queue.length;
    },
  };
}
