// /healthz: unhealthy when the store has failed for longer than a grace period (writes erroring
// and none succeeding), or when the spool is full (it is dropping exports, or about to). A store
// blip of a few seconds is normal during a database restart; the spool covers it.
import type { SpoolStats } from "../store/spool.ts";

export const STORE_GRACE_MS = 5 * 60_000;
/** A spool this close to spool_max counts as full: the next window may push out old ones. */
const FULL_FRACTION = 0.95;

export interface HealthReport {
  ok: boolean;
  problems: string[];
  /** Since when writes have been failing (epoch ms), or null. */
  storeFailingSinceMs: number | null;
}

export interface Health {
  /** Feeds the latest spool stats; call it periodically and before check(). */
  observe(s: SpoolStats, nowMs: number): void;
  check(nowMs: number): HealthReport;
}

export function createHealth(spoolMax: number, graceMs = STORE_GRACE_MS): Health {
  let written = -1;
  let errors = -1;
  let dropped = -1;
  let failingSince: number | null = null;
  let lastDropMs = Number.NEGATIVE_INFINITY;
  let last: SpoolStats | null = null;
  return {
    observe(s, nowMs) {
      if (written >= 0) {
        if (s.written > written || s.entries === 0) failingSince = null;
        else if (s.writeErrors > errors) failingSince ??= nowMs;
        if (s.droppedExports > dropped) lastDropMs = nowMs;
      } else if (s.droppedExports > 0) lastDropMs = nowMs;
      written = s.written;
      errors = s.writeErrors;
      dropped = s.droppedExports;
      last = s;
    },
    check(nowMs) {
      const problems: string[] = [];
      if (failingSince !== null && nowMs - failingSince > graceMs) {
        problems.push(`store failing for ${Math.round((nowMs - failingSince) / 1000)} s: ${last?.lastError ?? "unknown error"}`);
      }
      if (last && spoolMax > 0 && last.bytes >= spoolMax * FULL_FRACTION) problems.push(`spool full: ${last.bytes} of ${spoolMax} bytes`);
      else if (nowMs - lastDropMs < graceMs) problems.push("spool full: window exports were dropped in the last 5 minutes");
      return { ok: problems.length === 0, problems, storeFailingSinceMs: failingSince };
    },
  };
}
