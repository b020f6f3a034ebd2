// /healthz: unhealthy at once while the database refuses the exports (a missing database, role or
// grant, read-only, disk full, a table changed by hand: nothing fixes that but an operator), when
// it has been unreachable longer than a grace period, or when the spool is full (it is dropping
// exports, or about to). A blip of a few seconds is normal during a database restart; the spool
// covers it.
import type { SpoolStats } from "../store/spool-types.ts";

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
  let dropped = -1;
  let lastDropMs = Number.NEGATIVE_INFINITY;
  let last: SpoolStats | null = null;
  return {
    observe(s, nowMs) {
      if (s.droppedExports > Math.max(0, dropped)) lastDropMs = nowMs;
      dropped = s.droppedExports;
      last = s;
    },
    check(nowMs) {
      const problems: string[] = [];
      const f = last?.failing ?? null;
      const forS = f ? Math.max(0, Math.round((nowMs - f.sinceMs) / 1000)) : 0;
      if (f && f.fault !== "down") problems.push(`store refusing exports for ${forS} s: ${f.reason}`);
      else if (f && nowMs - f.sinceMs > graceMs) problems.push(`store failing for ${forS} s: ${f.reason}`);
      if (last && spoolMax > 0 && last.bytes >= spoolMax * FULL_FRACTION) problems.push(`spool full: ${last.bytes} of ${spoolMax} bytes`);
      else if (nowMs - lastDropMs < graceMs) problems.push("spool full: window exports were dropped in the last 5 minutes");
      return { ok: problems.length === 0, problems, storeFailingSinceMs: f?.sinceMs ?? null };
    },
  };
}
