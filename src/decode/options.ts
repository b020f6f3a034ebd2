// Options data that changes how flows are read: sampling rates (IE 34 samplingInterval, 305/306
// samplingPacketInterval/Space, 50 samplerRandomInterval) per sampler id (IE 48 samplerId / 302
// selectorId; none = the domain default), and IE 160 systemInitTimeMilliseconds for IPFIX uptimes.
import type { OptionsSink } from "./domains.ts";
import { readUint } from "./reads.ts";
import { type Template, VARLEN } from "./template.ts";
import { walkRecord } from "./walk.ts";

interface OptionsPlan {
  interval: number; // field indexes, -1 = absent
  packetInterval: number;
  packetSpace: number;
  random: number;
  sampler: number;
  init: number;
  pos: Int32Array;
  lens: Int32Array;
}

const plans = new WeakMap<Template, OptionsPlan | null>();

function plan(t: Template): OptionsPlan | null {
  let p = plans.get(t);
  if (p !== undefined) return p;
  const at = (ids: readonly number[]) => {
    for (const id of ids) {
      const k = t.fields.findIndex((f) => f.pen === 0 && f.id === id && f.len >= 1 && f.len <= 8 && f.len !== VARLEN);
      if (k >= 0) return k;
    }
    return -1;
  };
  p = {
    interval: at([34]), packetInterval: at([305]), packetSpace: at([306]), random: at([50]),
    sampler: at([48, 302]), init: at([160]),
    pos: new Int32Array(t.fields.length), lens: new Int32Array(t.fields.length),
  };
  if (p.interval < 0 && p.packetInterval < 0 && p.random < 0 && p.init < 0) p = null;
  plans.set(t, p);
  return p;
}

/** Reads the options records in b[o, end) into the domain's state; returns true when it changed. */
export function applyOptions(t: Template, b: Uint8Array, o: number, end: number, sink: OptionsSink): boolean {
  const p = plan(t);
  if (!p) return false;
  let changed = false;
  const min = Math.max(t.minSize, 1);
  while (end - o >= min) {
    const next = walkRecord(t, b, o, end, p.pos, p.lens);
    if (next < 0) break;
    const v = (k: number) => (k < 0 ? 0 : readUint(b, p.pos[k]!, p.lens[k]!));
    let rate = v(p.interval);
    if (!(rate > 0) && p.packetInterval >= 0) {
      const a = v(p.packetInterval);
      rate = a > 0 ? (a + v(p.packetSpace)) / a : 0;
    }
    if (!(rate > 0)) rate = v(p.random);
    if (rate > 0 && sink.rate(p.sampler >= 0 ? v(p.sampler) : null, rate)) changed = true;
    if (p.init >= 0 && sink.init(v(p.init))) changed = true;
    o = next;
  }
  return changed;
}
