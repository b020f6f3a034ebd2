// Window exports handed to the store one per event-loop turn. A window close hands over an
// export per window; on the thread that also receives, spooling them all in one turn holds the
// loop long enough for the kernel's receive buffer to overflow (the first close after a start runs
// cold code: docs/PERFORMANCE.md). Written one per turn, each export waits behind the receiver's
// next read. A raw window's export carries a row source instead of rows (monitor/raw-rows.ts):
// the consumers render them ROWS_PER_TURN per turn (store/turn.ts), and the inline engine's
// source defers even its top-N selection to the export's own turn (withRowSource).
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
      queue.push(...exports);
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
