// The inline engine: this thread runs the data path (path.ts) itself (collector.workers = 1).
// Closed windows leave the monitor as numbers and are rendered a slice at a time as the store
// asks (monitor/raw-rows.ts), between the receiver's reads.
import { XenoflowError } from "../errors.ts";
import type { ClosedWindow, WindowExport } from "../flow/export.ts";
import type { Monitor } from "../monitor/mo.ts";
import { withRowSource } from "../monitor/raw-rows.ts";
import type { Engine, StartEngine } from "./engine.ts";
import { startDataPath } from "./path.ts";

export const startInlineEngine: StartEngine = async (plan, { log, saved }) => {
  const path = await startDataPath(plan, {
    listen: plan.config.collector.listen,
    worker: false,
    saved,
    info: (m, key) => log.info(m, key),
    warn: (m) => log.warn(m),
  });
  if (saved !== null) log.info(`restored ${path.restored} templates from ${plan.config.dataDir}`);
  const { decoder, ingest } = path;

  // The key that renders a raw export is that of the window that closed it, in the monitor then in force.
  const rendered = (m: Monitor, closed: ClosedWindow[]): WindowExport[] =>
    closed.map((e) => {
      if (!("raw" in e)) return e;
      const w = m.windows.find((x) => x.table === e.table && x.key.signature === e.raw.signature);
      if (w === undefined) throw new XenoflowError("E_INTERNAL", `window ${e.table}: no key ${e.raw.signature} to render its rows`);
      return withRowSource(e, e.raw, w.key, w.def.top);
    });
  // Windows a reload ended, until the next collect().
  const ended: WindowExport[] = [];
  const take = () => ended.splice(0);

  return {
    receiver: path.receiver,
    decoder,
    get monitor() {
      return path.monitor;
    },
    exporters: ingest.exporters,
    // The stages' live counters, as the workers' reports show them.
    stages: path.stages.map((st) => ({
      name: st.name,
      counters: st.counters,
      get learned() {
        return st.learned;
      },
    })),
    workers: [],
    get rates() {
      return path.monitor.mavgs;
    },
    window: (p) => path.monitor.window(p),
    collect(nowMs) {
      ingest.flush();
      decoder.expire(nowMs);
      return [...take(), ...rendered(path.monitor, path.monitor.collect(nowMs))];
    },
    reload(next, change) {
      const before = path.monitor;
      const r = path.reload(next, change);
      // What the ended windows counted so far is exported, nothing is lost.
      ended.push(...rendered(before, r.ended));
      return change.monitor ? [`monitoring objects changed: ${r.kept} windows kept, ${r.fresh} new, ${r.gone} ended`] : [];
    },
    toStages(name, payload) {
      for (const st of path.stages) if (st.name === name) st.message?.(payload);
    },
    async stop() {
      const before = path.monitor;
      return [...take(), ...rendered(before, await path.stop())];
    },
  } satisfies Engine;
};
