// The monitoring-object tree: compiled filters route each record to the windows and moving
// averages of the MOs it matches; a child MO is tested only when its parent matched.
//
// Work goes a batch at a time, MO by MO in tree order (parents first): each MO tests only the
// records its parent selected and writes the indexes it matched to its own row of one Int32Array,
// which its children read and its windows and averages consume. A record a parent rejected never
// reaches a child's filter. No closure or object is created per record.
import type { Config, MoDef } from "../config/types.ts";
import type { ExtraSpec, FlowBatch } from "../flow/batch.ts";
import { ConfigError, XenoflowError } from "../errors.ts";
import type { WindowExport } from "../store/sink.ts";
import { parseKey, type IanaLookup, type KeySpec } from "./keyspec.ts";
import { createMavg, type MavgOptions, type MovingAverage } from "./mavg.ts";
import { createWindow, type FixedWindow, type WindowOptions } from "./window.ts";

export type Predicate = (b: FlowBatch, i: number) => boolean;
export type Predicates = ReadonlyMap<string, Predicate> | ((mo: MoDef) => Predicate | undefined);

export interface MonitorOptions {
  /** The batch's extra columns, in order (see requiredExtras). */
  extras?: readonly ExtraSpec[];
  lookup?: IanaLookup;
  window?: WindowOptions;
  mavg?: MavgOptions;
  /** Minimum time between idle-key sweeps of the moving averages, run from collect(). */
  sweepEveryMs?: number;
}

/** Per MO, indexed like `names`: records tested, matched, and their sampled octets and packets. */
export interface MoCounters {
  readonly names: readonly string[];
  readonly tested: Float64Array;
  readonly matched: Float64Array;
  readonly octets: Float64Array;
  readonly packets: Float64Array;
}

export interface Monitor {
  process(b: FlowBatch): void;
  collect(nowMs: number): WindowExport[];
  flush(): WindowExport[];
  readonly windows: readonly FixedWindow[];
  readonly mavgs: readonly MovingAverage[];
  /** A window by "mo/window" (what `enable` lists name). */
  window(path: string): FixedWindow | undefined;
  readonly counters: MoCounters;
}

const always: Predicate = () => true;

function preorder(mos: readonly MoDef[]): MoDef[] {
  const children = new Map<string | null, MoDef[]>();
  for (const m of mos) {
    const list = children.get(m.parent) ?? [];
    list.push(m);
    children.set(m.parent, list);
  }
  const order: MoDef[] = [];
  const visit = (m: MoDef) => {
    order.push(m);
    for (const c of children.get(m.name) ?? []) visit(c);
  };
  for (const root of children.get(null) ?? []) visit(root);
  if (order.length !== mos.length) throw new XenoflowError("E_INTERNAL", "monitor: an MO's parent is missing from the config");
  return order;
}

function keySpecs(config: Config, mo: string, what: string, key: readonly string[], lookup: IanaLookup | undefined): KeySpec[] {
  const fail = (message: string) => new ConfigError([{ file: config.file, path: `mo ${mo}, ${what}`, message }]);
  const specs = key.map((text) => {
    const r = parseKey(text, config.fields, lookup);
    if ("error" in r) throw fail(r.error);
    return r;
  });
  // Two fields with one column name ("src net/24" and "src net/16") cannot both be stored.
  const names = specs.map((s) => s.column.name);
  const dup = names.find((n, at) => names.indexOf(n) !== at);
  if (dup !== undefined) throw fail(`key column "${dup}" appears twice`);
  return specs;
}

/** The extra batch columns the config's keys read; create the batch with these. */
export function requiredExtras(config: Config, lookup?: IanaLookup): ExtraSpec[] {
  const out: ExtraSpec[] = [];
  for (const mo of config.mos) {
    for (const x of [...mo.windows, ...mo.mavgs]) {
      for (const s of keySpecs(config, mo.name, x.name, x.key, lookup)) {
        const e = s.extra;
        if (e && !out.some((o) => o.pen === e.pen && o.element === e.element && o.type === e.type)) out.push(e);
      }
    }
  }
  return out;
}

export function createMonitor(config: Config, predicates: Predicates, opts: MonitorOptions = {}): Monitor {
  const extras = opts.extras ?? [];
  const order = preorder(config.mos);
  const n = order.length;
  const preds: Predicate[] = [];
  const windows: FixedWindow[] = [];
  const mavgs: MovingAverage[] = [];
  const wFrom = new Int32Array(n + 1);
  const aFrom = new Int32Array(n + 1);
  order.forEach((mo, m) => {
    const p = typeof predicates === "function" ? predicates(mo) : predicates.get(mo.name);
    if (!p && mo.filter.trim() !== "") throw new XenoflowError("E_INTERNAL", `monitor: no compiled filter for MO ${mo.name}`);
    preds.push(p ?? always);
    wFrom[m] = windows.length;
    aFrom[m] = mavgs.length;
    for (const w of mo.windows) {
      const fw = createWindow(mo.name, w, keySpecs(config, mo.name, `window ${w.name}`, w.key, opts.lookup), extras, opts.window);
      windows.push(fw);
    }
    for (const a of mo.mavgs) {
      const ma = createMavg(mo.name, a, keySpecs(config, mo.name, `mavg ${a.name}`, a.key, opts.lookup), extras, opts.mavg);
      mavgs.push(ma);
    }
  });
  wFrom[n] = windows.length;
  aFrom[n] = mavgs.length;
  // Row of the parent's selection in `sel`: 0 = every record (roots), else parent index + 1.
  const index = new Map(order.map((m, at) => [m.name, at]));
  const parentRow = Int32Array.from(order.map((m) => (m.parent === null ? 0 : index.get(m.parent)! + 1)));
  const selCount = new Int32Array(n);
  const counters: MoCounters = {
    names: order.map((m) => m.name),
    tested: new Float64Array(n),
    matched: new Float64Array(n),
    octets: new Float64Array(n),
    packets: new Float64Array(n),
  };
  const { tested, matched, octets: octetsBy, packets: packetsBy } = counters;
  const byPath = new Map(windows.map((w) => [`${w.mo}/${w.def.name}`, w]));
  const sweepEvery = opts.sweepEveryMs ?? 5000;
  let lastSweep = -Infinity;

  // Per batch: sampled sizes per record, and per MO the indexes of the records it matched.
  let octets = new Float64Array(0);
  let packets = new Float64Array(0);
  let sel = new Int32Array(0);
  let rows: Int32Array[] = [];
  let cap = 0;

  function process(b: FlowBatch): void {
    const len = b.length;
    if (cap < b.capacity) {
      cap = b.capacity;
      octets = new Float64Array(cap);
      packets = new Float64Array(cap);
      sel = new Int32Array(cap * (n + 1));
      rows = order.map((_, m) => sel.subarray((m + 1) * cap, (m + 2) * cap));
    }
    for (let i = 0; i < len; i++) {
      const s = b.sampling[i]!;
      // A decoder that left the rate at 0 means "unknown": count the record as unsampled.
      const rate = s > 0 ? s : 1;
      octets[i] = b.octets[i]! * rate;
      packets[i] = b.packets[i]! * rate;
      sel[i] = i;
    }
    for (let m = 0; m < n; m++) {
      const from = parentRow[m]! * cap;
      const count = parentRow[m] === 0 ? len : selCount[parentRow[m]! - 1]!;
      const to = (m + 1) * cap;
      const pred = preds[m]!;
      let k = 0;
      let o = 0;
      let p = 0;
      for (let j = 0; j < count; j++) {
        const i = sel[from + j]!;
        if (pred(b, i)) {
          sel[to + k++] = i;
          o += octets[i]!;
          p += packets[i]!;
        }
      }
      selCount[m] = k;
      tested[m]! += count;
      matched[m]! += k;
      octetsBy[m]! += o;
      packetsBy[m]! += p;
      if (k === 0) continue;
      const view = rows[m]!;
      for (let w = wFrom[m]!, we = wFrom[m + 1]!; w < we; w++) windows[w]!.addBatch(b, view, k, octets, packets);
      for (let a = aFrom[m]!, ae = aFrom[m + 1]!; a < ae; a++) mavgs[a]!.addBatch(b, view, k, octets, packets);
    }
  }

  return {
    process,
    collect(nowMs) {
      if (nowMs - lastSweep >= sweepEvery) {
        lastSweep = nowMs;
        for (const a of mavgs) a.sweep(nowMs);
      }
      return windows.flatMap((w) => w.collect(nowMs));
    },
    flush: () => windows.flatMap((w) => w.flush()),
    windows,
    mavgs,
    window: (path) => byPath.get(path),
    counters,
  };
}
