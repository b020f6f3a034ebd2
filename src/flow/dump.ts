// The debug flow dump (`[debug] dump_flows`): every decoded record as one JSON line (DESIGN.md
// section 4), to stdout or a file. The decoder writes the lines as bytes into one buffer (a
// writer compiled per template, decode/compile-records.ts jsonFor) while it fills the batch, and
// the buffer goes to the file a CHUNK at a time: a flow costs no call into the sink and no
// syscall. A timer writes what a slow trickle of flows left pending, so lines never wait longer
// than FLUSH_MS.
//
// With collector.workers > 1 each worker thread opens the target and writes its own lines. The
// buffer only ever holds whole lines, and a file is opened for appending, so each write(2) lands
// whole at its end (the kernel serialises writes to one file). Writes to a pipe are atomic only
// up to PIPE_BUF bytes (pipe(7)), so a dump shared with other threads goes to anything but a
// regular file in pieces of at most PIPE_BUF, each ending with a line.
import { closeSync, fstatSync, openSync, writeSync } from "node:fs";
import type { LineSink } from "./json-bytes.ts";

export interface FlowDump {
  /** Where the decoder's line writers put their bytes (see LineSink). */
  readonly lines: LineSink;
  close(): Promise<void>;
}

/** Bytes gathered before one write to the file. */
const CHUNK = 1 << 18;
const FLUSH_MS = 200;
/** Linux's PIPE_BUF (pipe(7)). */
export const PIPE_BUF = 4096;
const NEWLINE = 0x0a;

/**
 * Hands `write` the lines of buf[0 .. end) in pieces of at most `max` bytes, each ending with a
 * newline; a line longer than `max` goes as one piece of its own.
 */
export function linePieces(buf: Uint8Array, end: number, max: number, write: (from: number, to: number) => void): void {
  for (let from = 0; from < end; ) {
    let to = Math.min(end, from + max);
    if (to < end) {
      const nl = buf.lastIndexOf(NEWLINE, to - 1);
      to = nl >= from ? nl + 1 : buf.indexOf(NEWLINE, to) + 1 || end;
    }
    write(from, to);
    from = to;
  }
}

/** `shared`: other threads write the same target (collector workers). */
export function openFlowDump(target: string, shared = false): FlowDump {
  // Plain write(2)s of whole chunks: to the page cache they take tens of microseconds, and the
  // buffer can be reused at once (an asynchronous sink would need a copy of every chunk).
  const fd = target === "stdout" ? 1 : openSync(target, "a");
  const piecewise = shared && !fstatSync(fd).isFile();
  const writeRange = (from: number, to: number) => {
    for (let off = from; off < to; ) off += writeSync(fd, lines.buf, off, to - off);
  };
  let timer: ReturnType<typeof setTimeout> | null = null;
  const drain = () => {
    timer = null;
    if (piecewise) linePieces(lines.buf, lines.pos, PIPE_BUF, writeRange);
    else writeRange(0, lines.pos);
    lines.pos = 0;
  };
  const lines: LineSink = {
    buf: new Uint8Array(CHUNK),
    pos: 0,
    reserve(n) {
      if (lines.pos + n > lines.buf.length) {
        drain();
        if (n > lines.buf.length) lines.buf = new Uint8Array(n);
      }
      if (timer === null) timer = setTimeout(drain, FLUSH_MS);
    },
  };
  return {
    lines,
    async close() {
      if (timer !== null) clearTimeout(timer);
      drain();
      if (fd !== 1) closeSync(fd);
    },
  };
}
