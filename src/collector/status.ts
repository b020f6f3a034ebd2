// The one-line status the collector logs every minute: rates since the previous line, totals, and
// anything that needs the operator (faults, spool backlog, active alerts).
import type { CollectorView } from "../http/sources.ts";

export interface Status {
  line(nowMs?: number): string;
  faults(): number;
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
        `flows/s ${fps.toFixed(0)}`,
        `datagrams/s ${dps.toFixed(0)}`,
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
