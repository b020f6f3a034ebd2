// The inline engine: this thread receives, decodes, runs the plan's stages and counts
// (collector.workers = 1). Closed windows leave the monitor as numbers and are rendered a slice
// at a time as the store asks (monitor/raw-rows.ts), between the receiver's reads.
import { XenoflowError } from "../errors.ts";
import { type FlowDump, openFlowDump } from "../flow/dump.ts";
import type { Monitor } from "../monitor/mo.ts";
import { withRowSource } from "../monitor/raw-rows.ts";
import { startReceiver } from "../receive/udp.ts";
import type { ClosedWindow, WindowExport } from "../flow/export.ts";
import type { Engine, StartEngine } from "./engine.ts";
import { createIngest } from "./ingest.ts";

export const startInlineEngine: StartEngine = async (plan, { log, saved }) => {
  const decoder = plan.decoder();
  if (saved !== null) log.info(`restored ${decoder.templates.restore(saved)} templates from ${plan.config.dataDir}`);
  const stages = plan.stages();
  let monitor = plan.monitor();
  const dump: FlowDump | null = plan.config.debug.dumpFlows ? openFlowDump(plan.config.debug.dumpFlows) : null;
  const ingest = createIngest({
    decoder,
    batch: plan.batch(),
    stages,
    monitor: () => monitor,
    dump,
    onNewExporter: (e) => log.info(`new exporter ${e.addr}:${e.port}`, "new-exporter"),
  });
  // The receiver reads `allow` per datagram, so a reload can replace it in this object.
  const receiveOptions = {
    listen: plan.config.collector.listen,
    recvBuffer: plan.config.collector.recvBuffer,
    allow: plan.config.collector.allow,
    onDatagram: ingest.onDatagram,
    warn: (m: string) => log.warn(m),
  };
  const receiver = await startReceiver(receiveOptions);

  // The key that renders a raw export is that of the window that closed it, in the monitor then in force.
  const rendered = (m: Monitor, closed: ClosedWindow[]): WindowExport[] =>
    closed.map((e) => {
      if (!("raw" in e)) return e;
      const w = m.windows.find((x) => x.table === e.table && x.key.signature === e.raw.signature);
      if (w === undefined) throw new XenoflowError("E_INTERNAL", `window ${e.table}: no key ${e.raw.signature} to render its rows`);
      return withRowSource(e, e.raw, w.key, w.def.top);
    });
  // Windows a reload ended, until the next collect().
  let ended: WindowExport[] = [];
  const take = () => ended.splice(0);

  const engine: Engine = {
    receiver,
    decoder,
    get monitor() {
      return monitor;
    },
    exporters: ingest.exporters,
    // The stages' live counters, as the workers' reports show them.
    stages: stages.map((st) => ({ name: st.name, counters: st.counters })),
    workers: [],
    get rates() {
      return monitor.mavgs;
    },
    window: (path) => monitor.window(path),
    collect(nowMs) {
      ingest.flush();
      decoder.expire(nowMs);
      return [...take(), ...rendered(monitor, monitor.collect(nowMs))];
    },
    reload(next, change) {
      ingest.flush();
      const notes: string[] = [];
      if (change.monitor) {
        const nextMonitor = next.monitor({ reuse: monitor });
        // Windows that did not survive end here: what they counted so far is exported, nothing is lost.
        const kept = new Set<unknown>(nextMonitor.windows);
        const gone = monitor.windows.filter((w) => !kept.has(w));
        ended.push(...rendered(monitor, gone.flatMap((w) => w.flush())));
        const fresh = nextMonitor.windows.filter((w) => !monitor.windows.includes(w)).length;
        notes.push(`monitoring objects changed: ${nextMonitor.windows.length - fresh} windows kept, ${fresh} new, ${gone.length} ended`);
        monitor = nextMonitor;
      }
      for (const s of stages) s.reload(next);
      receiveOptions.allow = next.config.collector.allow;
      return notes;
    },
    async stop() {
      await receiver.close();
      ingest.flush();
      await dump?.close();
      return [...take(), ...rendered(monitor, monitor.flush())];
    },
  };
  return engine;
};
