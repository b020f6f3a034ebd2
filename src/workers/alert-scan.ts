// The main thread's half of exact alerting (see mavg-scan.ts): a round asks every worker for its
// keys above floor/N, then asks every worker for its rates of the union of those keys, and
// stores the sums in the merged averages the alert engine scans. One round runs at a time; a
// round that a worker does not finish in time is abandoned and the next one starts afresh.
import { EMPTY_KEYS, type KeyList } from "./mavg-scan.ts";
import { type MergedMavg, sumRates, unionKeys } from "./merged-mavg.ts";
import type { ToWorker } from "./protocol.ts";

const ROUND_TIMEOUT_MS = 5000;

export interface AlertScanOptions {
  workers: number;
  send(worker: number, m: ToWorker): void;
  /** Per merged average (same order), its floors now; null when it has no limits. */
  floors(nowMs: number): (Float64Array | null)[];
}

export interface AlertScan {
  /** Starts a round at `nowMs` unless one is still running. */
  round(nowMs: number): void;
  candidates(worker: number, id: number, lists: readonly KeyList[]): void;
  rates(worker: number, id: number, rates: readonly Float64Array[]): void;
  /** The worker is gone: rounds stop waiting for it. */
  retire(worker: number): void;
  /** New averages (after a reload): the running round is dropped. */
  rebind(mavgs: readonly MergedMavg[]): void;
  /** Completed rounds (for tests and the bench). */
  readonly rounds: number;
}

export function createAlertScan(mavgs0: readonly MergedMavg[], o: AlertScanOptions): AlertScan {
  let mavgs = mavgs0;
  const live = new Uint8Array(o.workers).fill(1);
  let id = 0;
  let busy = false;
  let startedMs = 0;
  let nowMs = 0;
  let waiting = 0;
  let lists: (readonly KeyList[])[] = [];
  let reports: (readonly Float64Array[])[] = [];
  let union: KeyList[] = [];
  let rounds = 0;

  const liveCount = () => live.reduce((a, b) => a + b, 0);
  const broadcast = (m: ToWorker) => {
    for (let w = 0; w < o.workers; w++) if (live[w]) o.send(w, m);
  };
  const finish = (keys: readonly KeyList[], sums: readonly Float64Array[]) => {
    mavgs.forEach((a, i) => a.update(nowMs, keys[i] ?? EMPTY_KEYS, sums[i] ?? new Float64Array(0)));
    busy = false;
    rounds++;
  };

  function askRates(): void {
    union = mavgs.map((a, i) => unionKeys(lists.map((l) => l[i] ?? EMPTY_KEYS), a.key.words));
    if (union.every((u) => u.texts.length === 0)) return finish(union, []);
    reports = [];
    waiting = liveCount();
    broadcast({ type: "rates", id, nowMs, keys: union });
  }

  function sumUp(): void {
    finish(
      union,
      mavgs.map((a, i) => sumRates(reports.map((r) => r[i] ?? new Float64Array(0)), (union[i]?.texts.length ?? 0) * a.def.values.length)),
    );
  }

  return {
    round(now) {
      if (busy && now - startedMs < ROUND_TIMEOUT_MS) return;
      const floors = o.floors(now);
      id++;
      nowMs = now;
      startedMs = now;
      if (floors.every((f) => f === null) || liveCount() === 0) return finish([], []);
      busy = true;
      lists = [];
      waiting = liveCount();
      broadcast({ type: "scan", id, nowMs, floors });
    },
    candidates(_worker, rid, l) {
      if (!busy || rid !== id) return;
      lists.push(l);
      if (--waiting === 0) askRates();
    },
    rates(_worker, rid, r) {
      if (!busy || rid !== id) return;
      reports.push(r);
      if (--waiting === 0) sumUp();
    },
    retire(worker) {
      if (!live[worker]) return;
      live[worker] = 0;
      // The round cannot tell whether the worker had answered; the next one starts clean.
      busy = false;
    },
    rebind(next) {
      mavgs = next;
      busy = false;
      id++;
    },
    get rounds() {
      return rounds;
    },
  };
}
