// Per moving average, the lowest threshold any of its keys can have, per value: over every
// limit, the default thresholds and the per-key override file's minimum. The workers propose
// keys above floor/N; keeping the floor exact is what keeps merged alerting exact.
import { type LimitOverrides, defaultThresholds, loadOverrides } from "../alert/limits.ts";
import type { LimitDef, MavgDef } from "../config/types.ts";

const RELOAD_EVERY_MS = 5000;

export interface Floors {
  /** Floor per value of the average (NaN: no limit looks at that value); null: the average has no limits. */
  of(def: MavgDef, limits: readonly LimitDef[], nowMs: number): Float64Array | null;
}

export function createFloors(warn: (message: string) => void): Floors {
  const files = new Map<string, { overrides: LimitOverrides | null; checkedMs: number }>();

  const overridesOf = (def: MavgDef, l: LimitDef, nowMs: number): LimitOverrides | null => {
    if (!l.file) return null;
    let f = files.get(l.file);
    if (f === undefined) {
      f = { overrides: null, checkedMs: -Infinity };
      files.set(l.file, f);
    }
    if (nowMs - f.checkedMs >= RELOAD_EVERY_MS) {
      f.checkedMs = nowMs;
      try {
        f.overrides = loadOverrides(l.file, def.key.length, defaultThresholds(def.values, l.thresholds), def.values, f.overrides ?? undefined);
      } catch (e) {
        // The engine keeps the previous thresholds too; it also logs the error, so stay quiet here.
        if (f.overrides === null) warn(`limit file ${l.file}: ${(e as Error).message}`);
      }
    }
    return f.overrides;
  };

  return {
    of(def, limits, nowMs) {
      if (limits.length === 0) return null;
      const floor = new Float64Array(def.values.length).fill(Number.NaN);
      for (const l of limits) {
        const t = overridesOf(def, l, nowMs)?.min ?? defaultThresholds(def.values, l.thresholds);
        for (let v = 0; v < floor.length; v++) {
          const x = t[v] as number;
          if (!Number.isNaN(x) && !(floor[v]! <= x)) floor[v] = x;
        }
      }
      return floor;
    },
  };
}
