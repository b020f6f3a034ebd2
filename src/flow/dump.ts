// The debug flow dump (`[debug] dump_flows`): every decoded record as one JSON line (DESIGN.md
// section 4), to stdout or a file, through one buffered writer so that it costs no syscall per flow.
import type { FlowRecord } from "../decode/index.ts";

export interface FlowDump {
  readonly write: (r: FlowRecord) => void;
  close(): Promise<void>;
}

const HIGH_WATER = 1 << 20;

export function openFlowDump(target: string): FlowDump {
  const sink = target === "stdout" ? Bun.stdout.writer({ highWaterMark: HIGH_WATER }) : Bun.file(target).writer({ highWaterMark: HIGH_WATER });
  return {
    write: (r) => {
      sink.write(`${JSON.stringify(r, bigintSafe)}\n`);
    },
    async close() {
      await sink.flush();
      if (target !== "stdout") await sink.end();
    },
  };
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}
