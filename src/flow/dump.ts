// The debug flow dump (`[debug] dump_flows`): every decoded record as one JSON line (DESIGN.md
// section 4), to stdout or a file. The decoder writes the lines as bytes into one buffer (a
// writer compiled per template, decode/compile-records.ts jsonFor) while it fills the batch, and
// the buffer goes to the file a CHUNK at a time: a flow costs no call into the sink and no
// syscall. A timer writes what a slow trickle of flows left pending, so lines never wait longer
// than FLUSH_MS.
import { closeSync, openSync, writeSync } from "node:fs";
import type { LineSink } from "./json-bytes.ts";

export interface FlowDump {
  /** Where the decoder's line writers put their bytes (see LineSink). */
  readonly lines: LineSink;
  close(): Promise<void>;
}

/** Bytes gathered before one write to the file. */
const CHUNK = 1 << 18;
const FLUSH_MS = 200;

export function openFlowDump(target: string): FlowDump {
  // Plain write(2)s of whole chunks: to the page cache they take tens of microseconds, and the
  // buffer can be reused at once (an asynchronous sink would need a copy of every chunk).
  const fd = target === "stdout" ? 1 : openSync(target, "a");
  let timer: ReturnType<typeof setTimeout> | null = null;
  const drain = () => {
    timer = null;
    for (let off = 0; off < lines.pos; ) off += writeSync(fd, lines.buf, off, lines.pos - off);
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
