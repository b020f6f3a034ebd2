// Window exports handed to the store one piece per event-loop turn. A window close renders and
// spools thousands of rows; on the thread that also receives, done in one piece it holds the loop
// long enough for the kernel's receive buffer to overflow. The first close after a start runs
// cold code: ~100 ms for the benchmark's two windows (55 ms rendering, 44 ms spooling), and with
// a 4 MiB buffer the kernel dropped ~2 000 datagrams at 1 M flows/s. Written one per turn, each
// export waits behind the receiver's next read; a raw export (WindowExport.raw) is also rendered
// ROWS_PER_TURN rows per turn first, and written in the turn after its last slice.
import type { WindowExport } from "./sink.ts";
import { ROWS_PER_TURN } from "./turn.ts";

/** Renders up to `limit` more rows of one raw export per call; the finished export once every row is there, null before. */
export type ExportRenderer = (limit: number) => WindowExport | null;

export interface PacedWriter {
  /** Queues exports (oldest first); they are written in later turns, one per turn. */
  push(exports: readonly WindowExport[]): void;
  /** Renders and writes everything queued now, in order (before a reload's own exports, and at stop). */
  flush(): void;
  readonly pending: number;
}

interface Job {
  exp: WindowExport;
  /** Set for a raw export until its rows are rendered. */
  render: ExportRenderer | null;
}

/**
 * `rendererOf` makes the renderer of a raw export at push time, while the monitor that made it
 * is still the one in force; it returns null for an export that already has its rows.
 */
export function createPacedWriter(
  write: (e: WindowExport) => void,
  later: (f: () => void) => void = (f) => void setTimeout(f, 0),
  rendererOf: (e: WindowExport) => ExportRenderer | null = () => null,
): PacedWriter {
  const queue: Job[] = [];
  let scheduled = false;
  const next = () => {
    scheduled = false;
    const job = queue[0];
    if (job !== undefined) {
      if (job.render !== null) {
        const done = job.render(ROWS_PER_TURN);
        if (done !== null) {
          job.exp = done;
          job.render = null;
        }
      } else {
        queue.shift();
        write(job.exp);
      }
    }
    schedule();
  };
  const schedule = () => {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    later(next);
  };
  return {
    push(exports) {
      for (const exp of exports) queue.push({ exp, render: rendererOf(exp) });
      schedule();
    },
    flush() {
      for (const job of queue.splice(0)) {
        let exp: WindowExport | null = job.exp;
        if (job.render !== null) exp = job.render(Number.POSITIVE_INFINITY);
        if (exp !== null) write(exp);
      }
    },
    get pending() {
      return queue.length;
    },
  };
}
