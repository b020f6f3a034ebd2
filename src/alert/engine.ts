// The alert lifecycle (DESIGN.md section 6): every tick, each moving average with limits is
// scanned; a key over any threshold of a limit starts an alert (`exceed`, once), and an alert
// whose key stayed below every threshold for `normal_after` ends (`normal`, once). Active alerts
// switch their `enable` windows on, reference-counted, so overlapping alerts keep a window on
// until the last ends. Alert state is keyed by names, not table slots, so it survives a reload.
import type { LimitDef, ValueName } from "../config/types.ts";
import type { Rates } from "./rates.ts";
import { type LimitOverrides, type Thresholds, defaultThresholds, loadOverrides } from "./limits.ts";
import { type AlertEvent, type AlertState, scriptJob } from "./event.ts";
import type { LogFn, ScriptRunner } from "./scripts.ts";

export interface AlertHost {
  mavgs: readonly Rates[];
  /** The limits of an average; by default its definition's (a reload may bring new ones). */
  limitsOf?(mavg: Rates): readonly LimitDef[];
  /** Extended windows by "mo/window"; enable/disable are reference counts. */
  window(path: string): { enable(): void; disable(): void } | undefined;
  /**
   * The latest export of an extended window if it was exported after `sinceMs` (while this alert
   * was active), for the script's stdin; null otherwise, so a script never gets an older incident's rows.
   */
  latestRows(path: string, sinceMs: number): unknown;
}

interface LimitRuntime {
  mavg: Rates;
  def: LimitDef;
  values: readonly ValueName[];
  defaults: Thresholds;
  overrides: LimitOverrides | null;
}

export interface AlertCounters {
  exceed: number;
  normal: number;
  overrideErrors: number;
}

export interface AlertEngine {
  readonly counters: AlertCounters;
  tick(nowMs: number): void;
  active(): readonly AlertState[];
  /** New averages and limits after a reload; active alerts of limits that still exist live on. */
  rebind(host: AlertHost): void;
  onChange(listener: () => void): void;
}

const OVERRIDES_CHECK_MS = 5000;

export function createAlertEngine(host0: AlertHost, runner: ScriptRunner, log: LogFn): AlertEngine {
  let host = host0;
  let limits: LimitRuntime[] = [];
  const alerts = new Map<string, AlertState>();
  const counters: AlertCounters = { exceed: 0, normal: 0, overrideErrors: 0 };
  const listeners: Array<() => void> = [];
  let lastOverridesCheck = Number.NEGATIVE_INFINITY;
  const over = new Set<string>();

  const bind = (h: AlertHost) => {
    const prev = new Map(limits.map((l) => [l.def.file, l.overrides]));
    limits = h.mavgs.flatMap((mavg) =>
      (h.limitsOf?.(mavg) ?? mavg.def.limits).map((def) => ({
        mavg,
        def,
        values: mavg.def.values,
        defaults: defaultThresholds(mavg.def.values, def.thresholds),
        overrides: (def.file && prev.get(def.file)) || null,
      })),
    );
    lastOverridesCheck = Number.NEGATIVE_INFINITY;
  };
  bind(host0);

  const refreshOverrides = (now: number) => {
    if (now - lastOverridesCheck < OVERRIDES_CHECK_MS) return;
    lastOverridesCheck = now;
    for (const l of limits) {
      if (!l.def.file) continue;
      try {
        l.overrides = loadOverrides(l.def.file, l.mavg.key.columns.length, l.defaults, l.values, l.overrides ?? undefined);
      } catch (e) {
        counters.overrideErrors++;
        log("error", `limit ${l.mavg.mo}/${l.mavg.def.name}/${l.def.name}: ${(e as Error).message}; keeping the previous thresholds`);
      }
    }
  };

  /** `current`: the metric's rate at `normal`, logged before the rate at exceed (which alone reads as still over). */
  const fire = (a: AlertState, event: AlertEvent["event"], now: number, current?: number) => {
    const path = a.scripts[event === "exceed" ? 0 : 1];
    const extended = Object.fromEntries(a.enable.map((p) => [p, host.latestRows(p, a.startMs)]));
    if (path) runner.run(scriptJob({ ...a, event, nowMs: now, extended }, path));
    const what = `alert ${event} ${a.mo}/${a.mavg}/${a.limit} ${a.key.join(" ")} ${a.metric}`;
    const rate = current === undefined
      ? `${fmt(a.value)}/s (threshold ${fmt(a.threshold)}/s)`
      : `${fmt(current)}/s (threshold ${fmt(a.threshold)}/s; ${fmt(a.value)}/s at exceed)`;
    log("info", `${what} ${rate}`);
  };

  // The current rate of each ending alert's metric, by alert id. Ending keys are under every
  // threshold, so scan() skipped them: found here by their text, one pass per limit with endings
  // (rare: once per alert). A key the average has already evicted has decayed to 0.
  const currentRates = (ending: readonly AlertState[], now: number): Map<string, number> => {
    const out = new Map<string, number>();
    for (const l of limits) {
      const wanted = new Map(ending.filter((a) => a.mo === l.mavg.mo && a.mavg === l.mavg.def.name && a.limit === l.def.name).map((a) => [a.key.join("\u0000"), a]));
      for (let e = 0; e < l.mavg.size && wanted.size > 0; e++) {
        const text = l.mavg.renderKey(e).map((k) => (k === null ? "" : String(k))).join("\u0000");
        const a = wanted.get(text);
        if (!a) continue;
        wanted.delete(text);
        out.set(a.id, l.mavg.raw(e, l.values.indexOf(a.metric)) * l.mavg.factor(e, now));
      }
    }
    return out;
  };

  const scan = (l: LimitRuntime, now: number) => {
    const { mavg, values } = l;
    const nv = values.length;
    // The lowest threshold any key can have, per value: entries below it need no key rendering.
    const floor = l.overrides ? l.overrides.min : l.defaults;
    for (let e = 0; e < mavg.size; e++) {
      const f = mavg.factor(e, now);
      let candidate = false;
      for (let v = 0; v < nv; v++) if (mavg.raw(e, v) * f > (floor[v] as number)) candidate = true;
      if (!candidate) continue;
      const key = mavg.renderKey(e).map((k) => (k === null ? "" : String(k)));
      const t = l.overrides ? l.overrides.lookup(key) : l.defaults;
      let crossed = -1;
      for (let v = 0; v < nv && crossed < 0; v++) if (mavg.raw(e, v) * f > (t[v] as number)) crossed = v;
      if (crossed < 0) continue;
      const id = `${mavg.mo}/${mavg.def.name}/${l.def.name}\u0000${key.join("\u0000")}`;
      over.add(id);
      const rates = Object.fromEntries(values.map((name, v) => [name, mavg.raw(e, v) * f]));
      const a = alerts.get(id);
      if (a) {
        a.belowSinceMs = null;
        a.rates = rates;
        continue;
      }
      const state: AlertState = {
        id,
        mo: mavg.mo,
        mavg: mavg.def.name,
        limit: l.def.name,
        keyFields: mavg.key.columns.map((c) => c.name),
        key,
        metric: values[crossed] as ValueName,
        value: mavg.raw(e, crossed) * f,
        threshold: t[crossed] as number,
        thresholds: Object.fromEntries(values.flatMap((name, v) => (Number.isNaN(t[v] as number) ? [] : [[name, t[v] as number]]))),
        rates,
        startMs: now,
        belowSinceMs: null,
        enable: [...l.def.enable],
        scripts: [l.def.onExceed, l.def.onNormal],
        normalAfterMs: l.def.normalAfter * 1000,
      };
      alerts.set(id, state);
      counters.exceed++;
      for (const p of state.enable) host.window(p)?.enable();
      fire(state, "exceed", now);
      changed();
    }
  };

  const changed = () => {
    for (const f of listeners) f();
  };

  return {
    counters,
    tick(now) {
      refreshOverrides(now);
      over.clear();
      for (const l of limits) scan(l, now);
      const ending: AlertState[] = [];
      for (const [id, a] of alerts) {
        if (over.has(id)) continue;
        a.belowSinceMs ??= now;
        if (now - a.belowSinceMs >= a.normalAfterMs) ending.push(a);
      }
      if (ending.length === 0) return;
      const rates = currentRates(ending, now);
      for (const a of ending) {
        alerts.delete(a.id);
        counters.normal++;
        for (const p of a.enable) host.window(p)?.disable();
        fire(a, "normal", now, rates.get(a.id) ?? 0);
        changed();
      }
    },
    active: () => [...alerts.values()],
    rebind(h) {
      // Windows of the old host lose their enables; re-apply them on the new one.
      for (const a of alerts.values()) for (const p of a.enable) host.window(p)?.disable();
      host = h;
      bind(h);
      for (const a of alerts.values()) for (const p of a.enable) host.window(p)?.enable();
    },
    onChange(f) {
      listeners.push(f);
    },
  };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? (Math.round(x * 1000) / 1000).toString() : String(x);
}
