// Moving a record within a batch, for stages that drop records in place (compacting: record
// `from` overwrites record `to < from`). Every per-record column is found once per batch by
// walking its typed arrays, so a column added to batch.ts is moved without this file knowing it.
import type { FlowBatch } from "./batch.ts";

type Column = { a: { copyWithin(target: number, start: number, end: number): unknown }; stride: number };

const layouts = new WeakMap<FlowBatch, Column[]>();

function columnsOf(b: FlowBatch): Column[] {
  let cols = layouts.get(b);
  if (cols) return cols;
  cols = [];
  const add = (v: unknown): void => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const a = v as unknown as Column["a"] & { length: number };
      cols!.push({ a, stride: a.length / b.capacity });
    }
  };
  for (const v of Object.values(b)) add(v);
  for (const x of b.extra) {
    add(x.num);
    add(x.addr);
    add(x.family);
  }
  layouts.set(b, cols);
  return cols;
}

/** Copies record `from` over record `to` in every column. */
export function moveRecord(b: FlowBatch, from: number, to: number): void {
  const cols = columnsOf(b);
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k]!;
    c.a.copyWithin(to * c.stride, from * c.stride, (from + 1) * c.stride);
  }
}
