// Window exports handed to the store one per event-loop turn. A window close hands over an
// export per window; on the thread that also receives, preparing and spooling them all in one
// turn holds the loop long enough for the kernel's receive buffer to overflow. The first close
// after a start runs cold code: ~100 ms for the benchmark's two windows (55 ms rendering, 44 ms
// spooling), and with a 4 MiB buffer the kernel dropped ~2 000 datagrams at 1 M flows/s. Written
// one per turn, each export waits behind the receiver's next read; `prepare` (a raw export's row
// source, src/monitor/raw-rows.ts) runs in the export's own turn, and the consumers render its
// rows ROWS_PER_TURN per turn (store/turn.ts).
import type { WindowExport } from "./sink.ts";

export interface PacedWriter {
  /** Queues exports (oldest first); they are written in later turns, one per turn. */
  push(exports: readonly WindowExport[]): void;
  /** Prepares and writes everything queued now, in order (before a reload's own exports, and at stop). */
  flush(): void;
  readonly pending: number;
}

/** An export to write, made in its turn; its preparation was chosen at push time, while the monitor that closed the window was still the one in force. */
type Job = () => WindowExport;

/** `prepareOf(e)` returns what turns `e` into the export to write, or null when `e` is that already. */
export function createPacedWriter(
  write: (e: WindowExport) => void,
  later: (f: () => void) => void = (f) => void setTimeout(f, 0),
  prepareOf: (e: WindowExport) => (() => WindowExport) | null = () => null,
): PacedWriter {
  const queue: Job[] = [];
  let scheduled = false;
  const next = () => {
    scheduled = false;
    const job = queue.shift();
    if (job !== undefined) write(job());
    schedule();
  };
  const schedule = () => {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    later(next);
  };
  return {
    push(exports) {
      for (const exp of exports) queue.push(prepareOf(exp) ?? (() => exp));
      schedule();
    },
    flush() {
      for (const job of queue.splice(0)) write(job());
    },
    get pending() {
      return queue.length;
    },
  };
}
