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
import type { Selector } from "../filter/index.ts";
import type { ClosedWindow } from "../flow/export.ts";
import type { CompositeKey } from "./key.ts";
import { enrichNames } from "../enrich/names.ts";
import { parseKey, type IanaLookup, type KeySpec } from "./keyspec.ts";
import { createStringTable } from "./strings.ts";
import { createMavg, type MavgOptions, type MovingAverage } from "./mavg.ts";
import { createWindow, type FixedWindow, type WindowOptions } from "./window.ts";

/**
 * An MO's compiled filter. `select`, when present, is the same filter with its loop generated
 * around it (filter/codegen.ts): the monitor then makes one call per MO per batch instead of one
 * per record, at a call site that sees a single function.
 */
export type Predicate = ((b: FlowBatch, i: number) => boolean) & { readonly select?: Selector };
export type Predicates = ReadonlyMap<string, Predicate> | ((mo: MoDef) => Predicate | undefined);

export interface MonitorOptions {
  /** The batch's extra columns, in order (see requiredExtras). */
  extras?: readonly ExtraSpec[];
  lookup?: IanaLookup;
  window?: WindowOptions;
  mavg?: MavgOptions;
  /** Minimum time between idle-key sweeps of the moving averages, run from collect(). */
  sweepEveryMs?: number;
  /**
   * A reload's running monitor: its windows and averages whose definitions did not change are
   * carried over with their state (a window's open counts, an average's rates).
   */
  reuse?: Monitor;
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
  collect(nowMs: number): ClosedWindow[];
  flush(): ClosedWindow[];
  readonly windows: readonly FixedWindow[];
  readonly mavgs: readonly MovingAverage[];
  /** A window by "mo/window" (what `enable` lists name). */
  window(path: string): FixedWindow | undefined;
  readonly counters: MoCounters;
}

const always: Predicate = () => true;

// The per-record loops of process() live in small functions of their own, so that the JIT
// compiles each tight loop with its typed arrays as arguments rather than closure variables.

/** Sampled sizes: a decoder that left the rate at 0 means "unknown", counted as unsampled. */
function scale(bo: Float64Array, bp: Float64Array, bs: Float64Array, len: number, octets: Float64Array, packets: Float64Array): void {
  for (let i = 0; i < len; i++) {
    const s = bs[i]!;
    const rate = s > 0 ? s : 1;
    octets[i] = bo[i]! * rate;
    packets[i] = bp[i]! * rate;
  }
}

/** Sum of v over the records sel[from .. from+k-1]. */
function sumAt(sel: Int32Array, from: number, k: number, v: Float64Array): number {
  let sum = 0;
  for (let j = from, e = from + k; j < e; j++) sum += v[sel[j]!]!;
  return sum;
}
const noStrings = createStringTable();

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
    const r = parseKey(text, config.fields, lookup, enrichNames(config));
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
      const old = opts.reuse?.window(`${mo.name}/${w.name}`);
      const same = old && JSON.stringify(old.def) === JSON.stringify(w);
      windows.push(same ? old : createWindow(mo.name, w, keySpecs(config, mo.name, `window ${w.name}`, w.key, opts.lookup), extras, opts.window));
    }
    for (const a of mo.mavgs) {
      const old = opts.reuse?.mavgs.find((x) => x.mo === mo.name && x.def.name === a.name);
      // Limits live in the alert engine; the average's state depends on the rest only.
      const same = old && JSON.stringify({ ...old.def, limits: [] }) === JSON.stringify({ ...a, limits: [] });
      mavgs.push(same ? old : createMavg(mo.name, a, keySpecs(config, mo.name, `mavg ${a.name}`, a.key, opts.lookup), extras, opts.mavg));
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

  // Keys shared by several consumers (same fields in the same order, no string field) are
  // computed once per batch for every record; a key used once is computed for its selection.
  interface Shared {
    key: CompositeKey;
    users: number;
    keys: Uint32Array;
    hashes: Int32Array;
    stamp: number;
  }
  const shared = new Map<string, Shared>();
  for (const c of [...windows, ...mavgs]) {
    if (c.key.hasStrings) continue;
    const sh = shared.get(c.key.signature) ?? { key: c.key, users: 0, keys: new Uint32Array(0), hashes: new Int32Array(0), stamp: -1 };
    sh.users++;
    shared.set(c.key.signature, sh);
  }
  const wShared = windows.map((w) => (shared.get(w.key.signature)?.users ?? 0) > 1 ? shared.get(w.key.signature)! : null);
  const aShared = mavgs.map((a) => (shared.get(a.key.signature)?.users ?? 0) > 1 ? shared.get(a.key.signature)! : null);
  const selects = preds.map((p) => p.select ?? null);
  let stamp = 0;

  // Per batch: sampled sizes per record, and per MO the indexes of the records it matched
  // (row 0: every record, for roots), as int32 for consumers and as uint32 for selectors.
  let octets = new Float64Array(0);
  let packets = new Float64Array(0);
  let sel = new Int32Array(0);
  let sel32 = new Uint32Array(0);
  let rows: Int32Array[] = [];
  let rows32: Uint32Array[] = [];
  let cap = 0;

  function keysFor(sh: Shared, b: FlowBatch, len: number): Shared {
    if (sh.stamp === stamp) return sh;
    if (sh.hashes.length < cap) {
      sh.keys = new Uint32Array(cap * sh.key.words);
      sh.hashes = new Int32Array(cap);
    }
    sh.key.writeByRecord(b, sel, len, sh.keys, sh.hashes, noStrings);
    sh.stamp = stamp;
    return sh;
  }

  function process(b: FlowBatch): void {
    const len = b.length;
    if (len === 0) return;
    if (cap < b.capacity) {
      cap = b.capacity;
      octets = new Float64Array(cap);
      packets = new Float64Array(cap);
      sel = new Int32Array(cap * (n + 1));
      sel32 = new Uint32Array(sel.buffer);
      rows = order.map((_, m) => sel.subarray((m + 1) * cap, (m + 2) * cap));
      rows32 = order.map((_, m) => sel32.subarray((m + 1) * cap, (m + 2) * cap));
      for (let i = 0; i < cap; i++) sel[i] = i;
    }
    stamp++;
    scale(b.octets, b.packets, b.sampling, len, octets, packets);
    for (let m = 0; m < n; m++) {
      const pr = parentRow[m]!;
      const from = pr * cap;
      const count = pr === 0 ? len : selCount[pr - 1]!;
      const to = (m + 1) * cap;
      const select = selects[m];
      let k = 0;
      if (select !== null && select !== undefined) {
        k = select(b, pr === 0 ? null : rows32[pr - 1]!, count, rows32[m]!);
      } else {
        const pred = preds[m]!;
        for (let j = 0; j < count; j++) {
          const i = sel[from + j]!;
          if (pred(b, i)) sel[to + k++] = i;
        }
      }
      selCount[m] = k;
      tested[m]! += count;
      matched[m]! += k;
      octetsBy[m]! += sumAt(sel, to, k, octets);
      packetsBy[m]! += sumAt(sel, to, k, packets);
      if (k === 0) continue;
      const view = rows[m]!;
      for (let w = wFrom[m]!, we = wFrom[m + 1]!; w < we; w++) {
        const sh = wShared[w];
        if (sh) {
          keysFor(sh, b, len);
          windows[w]!.addKeyed(b, view, k, octets, packets, sh.keys, sh.hashes);
        } else windows[w]!.addBatch(b, view, k, octets, packets);
      }
      for (let a = aFrom[m]!, ae = aFrom[m + 1]!; a < ae; a++) {
        const sh = aShared[a];
        if (sh) {
          keysFor(sh, b, len);
          mavgs[a]!.addKeyed(b, view, k, octets, packets, sh.keys, sh.hashes);
        } else mavgs[a]!.addBatch(b, view, k, octets, packets);
      }
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
