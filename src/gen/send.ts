// Paced sending: one connected UDP socket per emulated exporter (so each has its own source
// port), datagrams handed out round-robin. The pace is computed from the elapsed time since the
// start (flows due = fps x elapsed), so a late tick is caught up in the next burst and the rate
// never drifts. Bun.udpSocket rather than node:dgram: send() is synchronous and says whether the
// kernel took the datagram, which in-place patching of shared pooled buffers and exact
// counting both need (node:dgram reports through callbacks, after the buffer may have changed).
import type { udp } from "bun";
import { XenoflowError } from "../errors.ts";
import type { Version } from "./codec.ts";
import { type Exporter, type TemplateRefresh, createExporter } from "./exporter.ts";
import { type PoolOptions, buildPool } from "./pool.ts";
import type { Target } from "./target.ts";

export interface SendOptions {
  target: Target;
  pool: PoolOptions;
  /** Flows per second over all exporters; 0 = as fast as possible. */
  fps: number;
  /** Stop after this many seconds (0 = no limit). */
  durationS: number;
  /** Stop after exactly this many flow records (0 = no limit). */
  count: number;
  exporters: number;
  refresh: TemplateRefresh;
  /** Called about once a second while running. */
  progress?: (s: Summary) => void;
  signal?: AbortSignal;
}

export interface Summary {
  flows: number;
  datagrams: number;
  octets: number;
  packets: number;
  seconds: number;
  rate_fps: number;
  exporters: number;
  version: Version;
  send_errors: number;
}

/** Datagrams per burst before yielding to the event loop (timers, signals, progress). */
const BURST = 256;
/** Consecutive refused sends after which the target is declared unreachable. */
const MAX_REFUSALS = 10000;

export async function send(o: SendOptions): Promise<Summary> {
  const started = Date.now();
  const pool = buildPool(o.pool, { exportMs: started, uptimeMs: 3_600_000, sequence: 0, domain: 0 });
  const exporters: Exporter[] = [];
  for (let e = 0; e < o.exporters; e++) {
    // Exporters start at different points of the pool so they do not send identical records in step.
    exporters.push(createExporter(pool, e + 1, o.refresh, Math.floor((e * pool.datagrams.length) / o.exporters)));
  }
  let asyncErrors = 0;
  const sockets: udp.ConnectedSocket<"buffer">[] = [];
  try {
    for (let e = 0; e < o.exporters; e++) {
      sockets.push(
        await Bun.udpSocket({
          hostname: o.target.family === 6 ? "::" : "0.0.0.0",
          connect: { hostname: o.target.host, port: o.target.port },
          socket: {
            error() {
              asyncErrors++; // e.g. ECONNREFUSED: the ICMP answer to an earlier datagram
            },
          },
        }),
      );
    }
  } catch (err) {
    for (const s of sockets) s.close();
    throw new XenoflowError("E_USAGE", `cannot send to ${o.target.host}:${o.target.port}: ${(err as Error).message}`);
  }

  const R = pool.records;
  const t0 = performance.now();
  const durationMs = o.durationS > 0 ? o.durationS * 1000 : Number.POSITIVE_INFINITY;
  let flows = 0;
  let refused = 0;
  let consecutiveRefusals = 0;
  let rr = 0;
  let nextProgress = 1000;
  const summary = (): Summary => {
    let datagrams = 0;
    let octets = 0;
    for (const ex of exporters) {
      datagrams += ex.totals.datagrams;
      octets += ex.totals.octets;
    }
    const seconds = Math.round(performance.now() - t0) / 1000;
    return {
      flows,
      datagrams,
      octets,
      packets: flows, // every record has packetDeltaCount 1
      seconds,
      rate_fps: seconds > 0 ? Math.round(flows / seconds) : 0,
      exporters: o.exporters,
      version: o.pool.version,
      send_errors: refused + asyncErrors,
    };
  };

  try {
    while (!o.signal?.aborted) {
      const elapsed = performance.now() - t0;
      if (elapsed >= durationMs) break;
      if (o.count > 0 && flows >= o.count) break;
      let budget = o.count > 0 ? o.count - flows : Number.POSITIVE_INFINITY;
      if (o.fps > 0) budget = Math.min(budget, Math.floor((o.fps * elapsed) / 1000) - flows);
      const nowMs = started + elapsed;
      let sent = 0;
      let blocked = false;
      while (sent < BURST) {
        const n = Math.min(R, o.count > 0 ? o.count - flows : R);
        if (n <= 0 || budget < n) break;
        const ex = exporters[rr] as Exporter;
        const dgram = ex.next(nowMs, n);
        if (!(sockets[rr] as udp.ConnectedSocket<"buffer">).send(dgram)) {
          refused++;
          if (++consecutiveRefusals >= MAX_REFUSALS) {
            throw new XenoflowError("E_USAGE", `${o.target.host}:${o.target.port} refuses every datagram`);
          }
          blocked = true;
          break;
        }
        consecutiveRefusals = 0;
        ex.commit(nowMs);
        flows += n;
        budget -= n;
        sent++;
        rr = rr + 1 === exporters.length ? 0 : rr + 1;
      }
      if (o.progress && elapsed >= nextProgress) {
        nextProgress += 1000;
        o.progress(summary());
      }
      // Paced and done for this millisecond, or the socket is full: wait a tick. Otherwise only
      // yield, so that timers and signals still run at full speed.
      await Bun.sleep(blocked || (o.fps > 0 && sent < BURST) ? 1 : 0);
    }
  } finally {
    for (const s of sockets) s.close();
  }
  return summary();
}
