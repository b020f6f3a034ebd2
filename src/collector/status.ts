// The one-line status the collector logs every minute: totals since start with the rate since the
// previous line (a trickle of flows shows as 0.017/s, never as 0), and
// anything that needs the operator (faults, spool backlog, active alerts).
import type { CollectorView } from "../http/sources.ts";

export interface Status {
  line(nowMs?: number): string;
  faults(): number;
}

/** A per-second rate that never reads 0 while something arrives: 2058, 12.5, 0.42, <0.001. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return "0";
  if (perSecond < 0.001) return "<0.001";
  return perSecond >= 1000 ? perSecond.toFixed(0) : String(Number(perSecond.toPrecision(3)));
}

export function createStatus(s: CollectorView): Status {
  let lastMs = Date.now();
  let lastRecords = 0;
  let lastDatagrams = 0;
  const faults = () => Object.values(s.decoder.faults).reduce((a, b) => a + b, 0);
  return {
    faults,
    line(nowMs = Date.now()) {
      const st = s.decoder.stats;
      const secs = Math.max(0.001, (nowMs - lastMs) / 1000);
      const fps = (st.records - lastRecords) / secs;
      const dps = (st.datagrams - lastDatagrams) / secs;
      lastMs = nowMs;
      lastRecords = st.records;
      lastDatagrams = st.datagrams;
      const spool = s.sink.stats();
      const active = s.alerts.active();
      const parts = [
        `flows ${st.records} (${formatRate(fps)}/s)`,
        `datagrams ${st.datagrams} (${formatRate(dps)}/s)`,
        `exporters ${s.exporters.size}`,
        `templates ${st.templates}`,
        `windows written ${spool.written}`,
        `faults ${faults()}`,
      ];
      if (s.receiver.counters.denied > 0) parts.push(`denied ${s.receiver.counters.denied}`);
      if (spool.entries > 0) parts.push(`spooled ${spool.entries}`);
      if (spool.droppedExports > 0) parts.push(`spool dropped ${spool.droppedExports}`);
      if (s.runner.stats.timedOut + s.runner.stats.failed > 0) parts.push(`scripts failed ${s.runner.stats.failed} timed out ${s.runner.stats.timedOut}`);
      parts.push(`alerts ${active.length}${active.length ? ` (${active.slice(0, 3).map((a) => `${a.mo}/${a.mavg}/${a.limit} ${a.key.join(" ")}`).join(", ")}${active.length > 3 ? ", ..." : ""})` : ""}`);
      return `status: ${parts.join(", ")}`;
    },
  };
}
