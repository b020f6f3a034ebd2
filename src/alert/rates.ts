// What the alert engine reads of a moving average: its definition, its live keys, and per key the
// stored rate and its decay (rate = raw * factor). A monitor's MovingAverage is one; with
// collector workers, so is the main thread's sum of the workers' rates (workers/merged-mavg.ts).
import type { MavgDef } from "../config/types.ts";
import type { KeyValue } from "../monitor/keyspec.ts";

export interface Rates {
  readonly mo: string;
  readonly def: MavgDef;
  /** The key's columns, in key order (a limit file has one column per key field). */
  readonly key: { readonly columns: readonly { readonly name: string }[] };
  /** Live keys: entries 0 .. size - 1. */
  readonly size: number;
  /** The decay factor of entry e at `nowMs`. */
  factor(e: number, nowMs: number): number;
  /** Value v of entry e as stored: its rate at nowMs is raw(e, v) * factor(e, nowMs). */
  raw(e: number, v: number): number;
  /** The key's field values, in key order (null: the record had none). */
  renderKey(e: number): KeyValue[];
}
