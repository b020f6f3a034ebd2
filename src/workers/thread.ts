// A collector worker: the data path of collector/path.ts on its own SO_REUSEPORT sockets on every
// listen address (the kernel spreads exporters across the workers by 4-tuple hash, so one
// exporter's templates and its data meet in one worker), built from the plan it compiles from the
// config it is sent. Closed windows leave with every row, as their tables' numbers (moved, not
// copied); the main thread merges and renders them (merge-windows.ts). The worker also answers
// the alert engine (mavg-scan.ts).
import { startDataPath } from "../collector/path.ts";
import { compilePlan, planChange } from "../collector/plan.ts";
import type { WindowDef } from "../config/types.ts";
import type { ClosedWindow } from "../flow/export.ts";
import { agentStats } from "../decode/index.ts";
import type { Level } from "../log.ts";
import type { Datagram } from "../receive/udp.ts";
import { EMPTY_KEYS, ratesFor, scanCandidates } from "./mavg-scan.ts";
import type { PartialExport } from "./merge-windows.ts";
import type { FromWorker, ToWorker, WorkerInit, WorkerStats } from "./protocol.ts";

declare const self: Worker;

// The counters on /metrics and the merged windows trail the workers by at most this, as the
// inline engine's windows do (collector/run.ts, EXPORT_EVERY_MS). Not more often: every tick
// is a wakeup, a stats object and a message in this thread and the main one (two idle workers,
// main thread and allocator: ~10.2 ms of CPU a second at 250 ms, ~8.7 at 1 s; docs/PERFORMANCE.md).
const TICK_MS = 1000;

const post = (m: FromWorker, transfer?: ArrayBuffer[]) => self.postMessage(m, transfer ?? []);
/** The buffers of raw window parts move to the main thread instead of being copied. */
const buffersOf = (parts: readonly PartialExport[]): ArrayBuffer[] =>
  parts.flatMap((p) => ("raw" in p.exp ? [p.exp.raw.words.buffer, p.exp.raw.vals.buffer, p.exp.raw.overflow.buffer] : [])) as ArrayBuffer[];
const log = (level: Level, message: string, key?: string) => post({ type: "log", level, message, key });

async function start(init: WorkerInit): Promise<void> {
  let plan = compilePlan(init.config);
  let config = plan.config;
  const path = await startDataPath(plan, {
    listen: init.listen,
    worker: true,
    saved: init.templates,
    info: (m, key) => log("info", m, key),
    // Every worker would say the same about the receive buffer: worker 0 speaks for all.
    warn: (m) => (init.index === 0 ? log("warn", m) : undefined),
  });
  const { decoder, ingest, receiver, stages } = path;
  const { onDatagram, flush } = ingest;

  const topOf = (mo: string, window: string): WindowDef | undefined => config.mos.find((m) => m.name === mo)?.windows.find((w) => w.name === window);
  const parts = (exports: ClosedWindow[]): PartialExport[] =>
    exports.map((exp) => {
      const def = topOf(exp.mo, exp.window);
      return { end: (exp.time + (def?.every ?? 0)) * 1000, top: def?.top ?? 0, exp };
    });
  const stats = (): WorkerStats => {
    const monitor = path.monitor;
    return {
      receiver: { ...receiver.counters },
      faults: { ...decoder.faults },
      decoder: decoder.stats,
      mo: { tested: monitor.counters.tested.slice(), matched: monitor.counters.matched.slice(), octets: monitor.counters.octets.slice(), packets: monitor.counters.packets.slice() },
      windows: monitor.windows.map((w) => ({ ...w.counters, openStart: w.openStart, openRows: w.openRows })),
      mavgs: monitor.mavgs.map((a) => ({ size: a.size, ...a.counters })),
      exporters: [...ingest.exporters.values()].map((e) => ({ ...e, versions: e.versions.slice() })),
      sflowAgents: [...decoder.sflowAgents.values()].map(agentStats),
      stages: stages.map((st, i) => ({ name: st.name, counters: { ...st.counters }, learned: learnedSince(st, i) })),
    };
  };
  // Per stage, how many of its learned names went out already: only new ones are sent.
  const sent: number[] = [];
  const learnedSince = (st: (typeof stages)[number], i: number): Map<number, string> | undefined => {
    const all = st.learned;
    if (all === undefined) return undefined;
    // A reload rebuilt the stage: its names start over.
    if (all.size < (sent[i] ?? 0)) sent[i] = 0;
    if (all.size === (sent[i] ?? 0)) return undefined;
    const fresh = new Map([...all].slice(sent[i] ?? 0));
    sent[i] = all.size;
    return fresh;
  };
  const templates = () => {
    if (!decoder.templates.dirty) return null;
    decoder.templates.dirty = false;
    return decoder.templates.snapshot();
  };
  const tick = () => {
    const now = Date.now();
    flush();
    const out = parts(path.monitor.collect(now));
    decoder.expire(now);
    post({ type: "tick", nowMs: now, parts: out, stats: stats(), templates: templates() }, buffersOf(out));
  };
  const timer = setInterval(tick, TICK_MS);

  self.onmessage = (ev: MessageEvent<ToWorker>) => {
    const m = ev.data;
    switch (m.type) {
      case "enable":
        path.monitor.window(m.path)?.enable();
        return;
      case "disable":
        path.monitor.window(m.path)?.disable();
        return;
      case "scan": {
        flush();
        const lists = path.monitor.mavgs.map((a, i) => {
          const f = m.floors[i];
          return f ? scanCandidates(a, f, init.count, m.nowMs) : EMPTY_KEYS;
        });
        post({ type: "candidates", id: m.id, lists });
        return;
      }
      case "rates": {
        const rates = path.monitor.mavgs.map((a, i) => ratesFor(a, m.keys[i] ?? EMPTY_KEYS, m.nowMs));
        post({ type: "rates", id: m.id, rates }, rates.map((r) => r.buffer as ArrayBuffer));
        return;
      }
      case "stage":
        for (const st of stages) if (st.name === m.name) st.message?.(m.payload);
        return;
      case "reload": {
        let flushed: PartialExport[];
        try {
          const next = compilePlan(m.config);
          // Windows that did not survive end here: what they counted goes out before the new tree starts.
          flushed = parts(path.reload(next, planChange(plan, next)).ended);
          plan = next;
          config = plan.config;
        } catch (e) {
          // The main thread compiled the same plan before sending: only a file changed in between.
          log("error", `reload: ${(e as Error).message}; this worker keeps the previous monitoring objects`);
          return;
        }
        post({ type: "tick", nowMs: Date.now(), parts: flushed, stats: stats(), templates: templates() }, buffersOf(flushed));
        return;
      }
      case "feed": {
        const w0 = performance.now();
        const r0 = decoder.records;
        const out: PartialExport[] = [];
        const n = m.datagrams.length;
        let next = m.t0 + 1000;
        // One object for every datagram, as the receiver does.
        const d: Datagram = { payload: m.datagrams[0]!, addr: m.addr, port: m.port, arrivalMs: m.t0 };
        for (let k = 0; k < m.count; k++) {
          const at = m.t0 + Math.floor(k * m.msPerDatagram);
          d.payload = m.datagrams[k % n]!;
          d.arrivalMs = at;
          onDatagram(d);
          // Windows close on simulated time, once per simulated second, as the tick would.
          if (at >= next) {
            next += 1000;
            flush();
            for (const p of parts(path.monitor.collect(at))) out.push(p);
          }
        }
        flush();
        post({ type: "fed", records: decoder.records - r0, ms: performance.now() - w0, parts: out }, buffersOf(out));
        return;
      }
      case "stop":
        clearInterval(timer);
        void path.stop().then((closed) => {
          const out = parts(closed);
          post({ type: "stopped", parts: out, stats: stats(), templates: templates() }, buffersOf(out));
        });
        return;
      case "init":
        return;
    }
  };
  post({ type: "ready", bound: receiver.bound.slice(), restored: path.restored, kind: receiver.kind });
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type !== "init") return;
  start(m).catch((e: unknown) => post({ type: "failed", message: (e as Error).message ?? String(e) }));
};
