// Sends a replay plan over UDP with node:dgram, one datagram at a time and in order (each send
// completes before the next starts, so loopback receivers see the capture's order).
import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { XenoflowError } from "../errors.ts";
import type { Plan } from "./plan.ts";

export interface Target {
  host: string;
  port: number;
}

export interface ReplayResult {
  sent: number;
  bytes: number;
  ms: number;
}

/** Called at most every `progressMs` while sending, and once at the end. */
export type Progress = (sent: number, total: number) => void;

export async function send(p: Plan, to: Target, onProgress?: Progress, progressMs = 250): Promise<ReplayResult> {
  const socket = createSocket({ type: isIPv6(to.host) ? "udp6" : "udp4" });
  const total = p.payloads.length * p.loops;
  const start = performance.now();
  let sent = 0;
  let bytes = 0;
  let lastReport = start;
  let reported = 0;
  try {
    for (let loop = 0; loop < p.loops; loop++) {
      const base = loop * p.loopMs;
      for (let i = 0; i < p.payloads.length; i++) {
        const due = start + base + (p.offsetsMs[i] ?? 0);
        const wait = due - performance.now();
        if (wait >= 1) await Bun.sleep(wait);
        const payload = p.payloads[i] as Uint8Array;
        await new Promise<void>((resolve, reject) =>
          socket.send(payload, to.port, to.host, (err) => (err ? reject(err) : resolve())),
        );
        sent++;
        bytes += payload.length;
        if (onProgress && performance.now() - lastReport >= progressMs) {
          lastReport = performance.now();
          onProgress((reported = sent), total);
        }
      }
    }
  } catch (err) {
    throw new XenoflowError("E_INPUT", `cannot send to ${to.host}:${to.port}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    socket.close();
  }
  if (reported !== sent) onProgress?.(sent, total);
  return { sent, bytes, ms: performance.now() - start };
}

/** "127.0.0.1:2055", "[::1]:4739", "localhost:2055". */
export function parseTarget(text: string): Target {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) throw new XenoflowError("E_USAGE", `--to wants HOST:PORT (e.g. 127.0.0.1:2055 or [::1]:2055), not "${text}"`);
  const host = (m[1] ?? m[2] ?? "").toLowerCase();
  return { host: host === "localhost" ? "127.0.0.1" : host, port };
}

/** Loopback only: 127.0.0.0/8 and ::1 (and "localhost", mapped to 127.0.0.1 by parseTarget). */
export function isLoopback(host: string): boolean {
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return isIPv6(host) && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(host);
}
