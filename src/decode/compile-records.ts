// The printing path: one closure set per template that turns its records into plain objects in
// the DESIGN.md section 4 format. A field that appears twice in a template is printed as an array
// of its values in template order (as tshark lists them); paddingOctets and fixed fields of length
// zero are not printed.
import type { Ctx } from "./context.ts";
import { type Element, element } from "./elements.ts";
import { readUint } from "./reads.ts";
import { type Template, VARLEN } from "./template.ts";
import { TimeKind, type TimePlan, timePlan, timeValue } from "./times.ts";
import { type FieldValue, fieldValue } from "./values.ts";
import { walkRecord } from "./walk.ts";

export interface FlowRecord {
  exporter: string;
  version: number;
  domain: number;
  template: number;
  options?: true;
  flowStartMilliseconds?: number;
  flowEndMilliseconds?: number;
  [name: string]: FieldValue | FieldValue[] | undefined;
}

/** Emits the records in b[o, end); returns how many, or -1 - count when a field ran past `end`. */
export type CompiledRecords = (b: Uint8Array, o: number, end: number, x: Ctx, exporter: string, emit: (r: FlowRecord) => void) => number;

const PADDING_OCTETS = 210; // RFC 7012 paddingOctets: filler, never data

export function compileRecords(t: Template): CompiledRecords {
  const els: Element[] = t.fields.map((f) => element(f.pen, f.id));
  const shown = t.fields.map((f) => !(f.pen === 0 && f.id === PADDING_OCTETS) && (f.len > 0 || f.len === VARLEN));
  const counts = new Map<string, number>();
  els.forEach((e, k) => shown[k] && counts.set(e.name, (counts.get(e.name) ?? 0) + 1));
  const repeated = els.map((e) => (counts.get(e.name) ?? 0) > 1);
  const tp: TimePlan = timePlan(t);
  const pos = new Int32Array(t.fields.length);
  const lens = new Int32Array(t.fields.length);

  const time = (kind: TimeKind, k: number, b: Uint8Array, x: Ctx, init: number): number => {
    if (kind === TimeKind.none) return NaN;
    const p = pos[k]!;
    if (kind === TimeKind.ntpMicro || kind === TimeKind.ntpNano) return timeValue(kind, readUint(b, p, 4), readUint(b, p + 4, 4), x, init);
    return timeValue(kind, readUint(b, p, lens[k]!), 0, x, init);
  };

  return (b, o, end, x, exporter, emit) => {
    let n = 0;
    while (end - o >= Math.max(t.minSize, 1)) {
      const next = walkRecord(t, b, o, end, pos, lens);
      if (next < 0) return -1 - n;
      const r: FlowRecord = { exporter, version: t.version, domain: t.domain, template: t.id };
      if (t.options) r.options = true;
      for (let k = 0; k < els.length; k++) {
        if (!shown[k]) continue;
        const e = els[k]!;
        const v = fieldValue(e.type, b, pos[k]!, lens[k]!);
        if (!repeated[k]) r[e.name] = v;
        else {
          const prev = r[e.name];
          if (Array.isArray(prev)) prev.push(v);
          else r[e.name] = [v];
        }
      }
      const init = tp.init >= 0 ? readUint(b, pos[tp.init]!, lens[tp.init]!) : NaN;
      let start = time(tp.startKind, tp.start, b, x, init);
      let endMs = time(tp.endKind, tp.end, b, x, init);
      if (tp.duration >= 0 && (start !== start) !== (endMs !== endMs)) {
        const d = readUint(b, pos[tp.duration]!, lens[tp.duration]!) * tp.durationMs;
        if (start !== start) start = endMs - d;
        else endMs = start + d;
      }
      if (start === start) r.flowStartMilliseconds = start;
      if (endMs === endMs) r.flowEndMilliseconds = endMs;
      emit(r);
      n++;
      o = next;
    }
    return n;
  };
}
