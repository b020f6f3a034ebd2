// What `xenoflow replay` sends and when: the capture's flow-export datagrams (NetFlow, IPFIX and
// sFlow, by their version field), each with its send time relative to the start, for every loop. Pure, so the pacing is
// testable without sockets or clocks.
import { XenoflowError } from "../errors.ts";
import type { CapturedDatagram } from "../capture/pcap.ts";
import { IPFIX_HEADER_LENGTH, IPFIX_VERSION, V5_HEADER_LENGTH, V5_VERSION, V9_HEADER_LENGTH, V9_VERSION, u16 } from "../decode/wire.ts";
import { isSflow } from "../decode/sflow/datagram.ts";

// sFlow v5 with an IPv4 agent (sFlow v5 "sFlow Datagram": 7 words).
const SFLOW_HEADER = 28;

/** A whole header of its version; an IPFIX message's length field must match the datagram. */
export function isFlowPayload(p: Uint8Array): boolean {
  if (p.length < 4) return false;
  const version = u16(p, 0);
  if (version === V5_VERSION) return p.length >= V5_HEADER_LENGTH;
  if (version === V9_VERSION) return p.length >= V9_HEADER_LENGTH;
  if (version === IPFIX_VERSION) return p.length >= IPFIX_HEADER_LENGTH && u16(p, 2) === p.length;
  return isSflow(p) && p.length >= SFLOW_HEADER;
}

export type Pace = { speed: number } | { pps: number };

export interface Plan {
  payloads: Uint8Array[]; // one loop's datagrams, in capture order
  offsetsMs: Float64Array; // send time of each within a loop, from the loop's start
  loopMs: number; // a loop's length: the next loop starts this long after the previous one
  loops: number;
}

export function plan(datagrams: readonly CapturedDatagram[], pace: Pace, loops: number): Plan {
  if (!Number.isInteger(loops) || loops < 1) throw new XenoflowError("E_USAGE", `--loop must be a whole number >= 1, not ${loops}`);
  const picked = datagrams.filter((d) => isFlowPayload(d.payload));
  const offsetsMs = new Float64Array(picked.length);
  let loopMs = 0;
  if ("pps" in pace) {
    if (!(pace.pps > 0) || !Number.isFinite(pace.pps)) throw new XenoflowError("E_USAGE", `--pps must be a positive number, not ${pace.pps}`);
    const gap = 1000 / pace.pps;
    picked.forEach((_, i) => (offsetsMs[i] = i * gap));
    loopMs = picked.length * gap;
  } else {
    if (!(pace.speed >= 0) || !Number.isFinite(pace.speed)) throw new XenoflowError("E_USAGE", `--speed must be a number >= 0, not ${pace.speed}`);
    const first = picked[0]?.tsMs ?? 0;
    if (pace.speed > 0) {
      // Out-of-order capture times (merged files) never make the schedule run backwards.
      let last = 0;
      picked.forEach((d, i) => (offsetsMs[i] = last = Math.max(last, (d.tsMs - first) / pace.speed)));
      loopMs = last;
    }
  }
  return { payloads: picked.map((d) => d.payload), offsetsMs, loopMs, loops };
}
