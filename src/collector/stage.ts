// A stage of the data path between decode and monitor. The batch goes through the plan's stages
// in order (plan.ts, STAGES), on the one thread that decodes it: inline, or in each worker. A
// stage works in place on records 0 .. batch.length - 1, allocates nothing per record, and may
// drop records by moving the kept ones down and lowering batch.length.
import type { FlowBatch } from "../flow/batch.ts";
import type { Config } from "../config/types.ts";
import type { Logger } from "../log.ts";

/** What a stage is built and reloaded from: the plan (plan.ts) is one. */
export interface StageSettings {
  readonly config: Config;
}

/** What a stage is built with besides the plan: where its lines go (a worker's go to the main thread). */
export interface StageContext {
  readonly log: Logger;
}

export interface Stage {
  /** Names its counters on /metrics: xenoflow_stage_total{stage="<name>",counter="<key>"}. */
  readonly name: string;
  process(batch: FlowBatch): void;
  /** Totals since start, by counter name; the names are fixed when the stage is built. */
  readonly counters: Readonly<Record<string, number>>;
  /** Takes the settings of a reloaded configuration (plan.ts says what a reload may change). */
  reload(next: StageSettings): void;
  /** Takes what the main thread made once for every thread's stage of this name (Engine.toStages). */
  message?(payload: unknown): void;
  /** Names the stage learned for numbers (enrich: AS organisations), for `xenoflow_names`. */
  readonly learned?: ReadonlyMap<number, string>;
}

/** A stage's figures as /metrics and the status line read them; workers send these. */
export interface StageCounters {
  readonly name: string;
  readonly counters: Readonly<Record<string, number>>;
  /** Stage.learned: live inline; from workers, what they learned since their previous report. */
  readonly learned?: ReadonlyMap<number, string>;
}

/** Copies of the stages' counters, summed over `sources` (one list per worker, same order). */
export function sumStageCounters(sources: readonly (readonly StageCounters[])[]): StageCounters[] {
  const out: { name: string; counters: Record<string, number> }[] = [];
  for (const list of sources) {
    list.forEach((s, i) => {
      const o = (out[i] ??= { name: s.name, counters: {} });
      for (const [k, v] of Object.entries(s.counters)) o.counters[k] = (o.counters[k] ?? 0) + v;
    });
  }
  return out;
}
