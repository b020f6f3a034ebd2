// The debug flow dump (`[debug] dump_flows`): every decoded record as one JSON line (DESIGN.md
// section 4), to stdout or a file. Lines are written as bytes into one buffer (compiled per
// template, decode/compile-records.ts compileJson, or a printed object via write()), handed to
// the file a CHUNK at a time: a flow costs no call into the sink and no syscall. A timer writes
// what a slow trickle of flows left pending, so lines never wait longer than FLUSH_MS.
import { closeSync, openSync, writeSync } from "node:fs";
import type { FlowRecord } from "../decode/index.ts";
import { type LineSink, writeText } from "./json-bytes.ts";

export interface FlowDump {
  readonly write: (r: FlowRecord) => void;
  /** Where compiled line writers put their bytes (see LineSink). */
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
    // FieldValue is number | string | boolean (values.ts), so no replacer is needed.
    write: (r) => writeText(lines, `${JSON.stringify(r)}\n`),
    lines,
    async close() {
      if (timer !== null) clearTimeout(timer);
      drain();
      if (fd !== 1) closeSync(fd);
    },
  };
}
