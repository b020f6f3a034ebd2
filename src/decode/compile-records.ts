// The printing path: one closure set per template that turns its records into plain objects in
// the DESIGN.md section 4 format. A field that appears twice in a template is printed as an array
// of its values in template order (as tshark lists them); paddingOctets and fixed fields of length
// zero are not printed.
import type { Ctx } from "./context.ts";
import { DataType, type Element, PADDING_OCTETS, element } from "./elements.ts";
import { readUint, uintCode } from "./reads.ts";
import { type Template, VARLEN } from "./template.ts";
import { TimeKind, type TimePlan, timePlan, timeValue } from "./times.ts";
import { type FieldValue, fieldValue } from "./values.ts";
import { fixedOffsets, walkRecord } from "./walk.ts";
import { type LineSink, NUMBER_MAX, writeNumber, writeText } from "../flow/json-bytes.ts";

export interface FlowRecord {
  exporter: string;
  /** 5, 9, 10, or "sflow5" (whose records have no template; domain = the sub-agent id). */
  version: number | string;
  domain: number;
  template?: number;
  options?: true;
  flowStartMilliseconds?: number;
  flowEndMilliseconds?: number;
  [name: string]: FieldValue | FieldValue[] | undefined;
}

/** Emits the records in b[o, end); returns how many, or -1 - count when a field ran past `end`. */
export type CompiledRecords = (b: Uint8Array, o: number, end: number, x: Ctx, exporter: string, emit: (r: FlowRecord) => void) => number;


export function compileRecords(t: Template): CompiledRecords {
  const els: Element[] = t.fields.map((f) => element(f.pen, f.id));
  const shown = t.fields.map((f) => !(f.pen === 0 && f.id === PADDING_OCTETS) && (f.len > 0 || f.len === VARLEN));
  const counts = new Map<string, number>();
  els.forEach((e, k) => shown[k] && counts.set(e.name, (counts.get(e.name) ?? 0) + 1));
  const repeated = els.map((e) => (counts.get(e.name) ?? 0) > 1);
  const tp: TimePlan = timePlan(t);
  const pos = new Int32Array(t.fields.length);
  const lens = new Int32Array(t.fields.length);

  const times = new Float64Array(2);

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
      recordTimes(tp, b, pos, lens, x, times);
      const start = times[0]!;
      const endMs = times[1]!;
      if (start === start) r.flowStartMilliseconds = start;
      if (endMs === endMs) r.flowEndMilliseconds = endMs;
      emit(r);
      n++;
      o = next;
    }
    return n;
  };
}

function time(kind: TimeKind, k: number, b: Uint8Array, pos: Int32Array, lens: Int32Array, x: Ctx, init: number): number {
  if (kind === TimeKind.none) return NaN;
  const p = pos[k]!;
  if (kind === TimeKind.ntpMicro || kind === TimeKind.ntpNano) return timeValue(kind, readUint(b, p, 4), readUint(b, p + 4, 4), x, init);
  return timeValue(kind, readUint(b, p, lens[k]!), 0, x, init);
}

/** The record's flowStart/EndMilliseconds (NaN when absent) into out[0], out[1]. */
export function recordTimes(tp: TimePlan, b: Uint8Array, pos: Int32Array, lens: Int32Array, x: Ctx, out: Float64Array): void {
  const init = tp.init >= 0 ? readUint(b, pos[tp.init]!, lens[tp.init]!) : NaN;
  let start = time(tp.startKind, tp.start, b, pos, lens, x, init);
  let endMs = time(tp.endKind, tp.end, b, pos, lens, x, init);
  if (tp.duration >= 0 && (start !== start) !== (endMs !== endMs)) {
    const d = readUint(b, pos[tp.duration]!, lens[tp.duration]!) * tp.durationMs;
    if (start !== start) start = endMs - d;
    else endMs = start + d;
  }
  out[0] = start;
  out[1] = endMs;
}

// The flow dump's fast path: one generated function per template that writes each record as the
// line JSON.stringify would give for the object above, without building the object. Key order,
// repeated fields (arrays), the time keys (which replace a same-named field's value in place, as
// assigning to an existing property does) and every value format are the same; tests compare
// the two paths byte for byte. Unsigned integers up to 6 bytes and IPv4 addresses, nearly every
// field of real templates, are formatted inline; any other value goes through fieldValue() and
// JSON.stringify. Code is built from the template's numbers and element names (as JSON string
// literals from the registry), never from packet bytes.
/**
 * Writes one line (with its newline) per record in b[o, end) to the sink; returns the count, or
 * -1 - count when a field ran past `end`.
 */
export type CompiledJson = (b: Uint8Array, o: number, end: number, x: Ctx, exporter: string, out: LineSink) => number;

/** Per byte value v, at 4v: its number of decimal digits, then the digits (ASCII). */
const OCTET_DIGITS = new Uint8Array(1024);
for (let v = 0; v < 256; v++) {
  const d = String(v);
  OCTET_DIGITS[4 * v] = d.length;
  for (let k = 0; k < d.length; k++) OCTET_DIGITS[4 * v + 1 + k] = d.charCodeAt(k);
}

const START = "flowStartMilliseconds";
const END = "flowEndMilliseconds";

/** The compiled line writer, or null when a field name would collide with a header key (then print the object). */
export function compileJson(t: Template): CompiledJson | null {
  const els = t.fields.map((f) => element(f.pen, f.id));
  const shown = t.fields.map((f) => !(f.pen === 0 && f.id === PADDING_OCTETS) && (f.len > 0 || f.len === VARLEN));
  // Keys in insertion order: the first occurrence of each name, with all its field indexes.
  const groups = new Map<string, number[]>();
  els.forEach((e, k) => {
    if (!shown[k]) return;
    const g = groups.get(e.name);
    if (g) g.push(k);
    else groups.set(e.name, [k]);
  });
  for (const name of ["exporter", "version", "domain", "template", "options"]) if (groups.has(name)) return null;
  // Fixed-size templates (nearly all): field positions are offsets from o, and only the fields
  // recordTimes() reads get their position stored; lengths never change.
  const fixed = t.fixedSize >= 0;
  const offs = fixed ? fixedOffsets(t) : [];
  const P = (k: number) => (fixed ? `(o + ${offs[k]})` : `pos[${k}]`);
  const tp = timePlan(t);
  const timeFields = [tp.start, tp.end, tp.init, tp.duration].filter((k) => k >= 0);
  const walk = fixed
    ? `const next = o + ${t.fixedSize}; ${timeFields.map((k) => `pos[${k}] = o + ${offs[k]};`).join(" ")}`
    : "const next = W(T, b, o, end, pos, lens);";
  let room = 2; // "}\n"
  // Key text as bytes, copied by a loop with a constant bound (cheaper than charCodeAt per byte).
  const keys: Uint8Array[] = [];
  const ascii = (text: string) => {
    room += text.length;
    keys.push(new TextEncoder().encode(text));
    return `for (let z = 0; z < ${text.length}; z++) u[q + z] = K${keys.length - 1}[z]; q += ${text.length};`;
  };
  const value = (k: number): string => {
    const f = t.fields[k]!;
    const type = els[k]!.type;
    const unsigned = type === DataType.unsigned8 || type === DataType.unsigned16 || type === DataType.unsigned32 || type === DataType.unsigned64 || type === DataType.dateTimeMilliseconds;
    if (f.len === 1 && unsigned) {
      room += 3;
      return `{ const d = b[${P(k)}] << 2; u[q] = L[d + 1]; u[q + 1] = L[d + 2]; u[q + 2] = L[d + 3]; q += L[d]; }`;
    }
    if (f.len !== VARLEN && unsigned && f.len >= 1 && f.len <= 6) {
      room += NUMBER_MAX;
      return `q = N(u, q, ${uintCode(P(k), f.len)});`;
    }
    if (f.len === 4 && type === DataType.ipv4Address) {
      room += 17;
      // Each octet from a table of its digits; the unused tail bytes are overwritten by what follows.
      return `{ const p = ${P(k)}; u[q++] = 34; { const d = b[p + 0] << 2; u[q] = L[d + 1]; u[q + 1] = L[d + 2]; u[q + 2] = L[d + 3]; q += L[d]; } u[q++] = 46; { const d = b[p + 1] << 2; u[q] = L[d + 1]; u[q + 1] = L[d + 2]; u[q + 2] = L[d + 3]; q += L[d]; } u[q++] = 46; { const d = b[p + 2] << 2; u[q] = L[d + 1]; u[q + 1] = L[d + 2]; u[q + 2] = L[d + 3]; q += L[d]; } u[q++] = 46; { const d = b[p + 3] << 2; u[q] = L[d + 1]; u[q + 1] = L[d + 2]; u[q + 2] = L[d + 3]; q += L[d]; } u[q++] = 34; }`;
    }
    // The text may use up the room reserved for the record: reserve it again for the rest.
    return `out.pos = q; S(out, J(V(${type}, b, ${P(k)}, ${f.len === VARLEN ? `lens[${k}]` : f.len}))); out.reserve(ROOM); u = out.buf; q = out.pos;`;
  };
  const fieldsCode = (ks: number[]): string =>
    ks.length === 1 ? value(ks[0]!) : `u[q++] = 91; ${ks.map(value).join(" u[q++] = 44; ")} u[q++] = 93;`;
  const parts: string[] = [];
  for (const [name, ks] of groups) {
    const key = ascii(`,${JSON.stringify(name)}:`);
    if (name === START || name === END) {
      const v = name === START ? "start" : "endMs";
      room += NUMBER_MAX;
      parts.push(`${key} if (${v} === ${v}) q = N(u, q, ${v}); else { ${fieldsCode(ks)} }`);
    } else parts.push(`${key} ${fieldsCode(ks)}`);
  }
  for (const [name, v] of [[START, "start"], [END, "endMs"]] as const) {
    if (groups.has(name)) continue;
    room += NUMBER_MAX;
    parts.push(`if (${v} === ${v}) { ${ascii(`,"${name}":`)} q = N(u, q, ${v}); }`);
  }
  const head = `,"version":${t.version},"domain":${t.domain},"template":${t.id}${t.options ? ',"options":true' : ""}`;
  const code = `"use strict"; ${keys.map((_, k) => `const K${k} = K[${k}];`).join(" ")} return function json${t.id}(b, o, end, x, exporter, out) {
    const pre = E.encode('{"exporter":' + J(exporter) + ${JSON.stringify(head)});
    const ROOM = pre.length + ${room};
    let n = 0;
    while (end - o >= ${Math.max(t.minSize, 1)}) {
      ${walk}
      if (next < 0) return -1 - n;
      R(TP, b, pos, lens, x, times);
      const start = times[0], endMs = times[1];
      out.reserve(ROOM);
      let u = out.buf, q = out.pos;
      for (let k = 0; k < pre.length; k++) u[q++] = pre[k];
      ${parts.join("\n      ")}
      u[q++] = 125; u[q++] = 10;
      out.pos = q;
      n++;
      o = next;
    }
    return n;
  };`;
  const helpers = {
    T: t,
    TP: tp,
    W: walkRecord,
    R: recordTimes,
    V: fieldValue,
    J: JSON.stringify,
    E: new TextEncoder(),
    K: keys,
    L: OCTET_DIGITS,
    N: writeNumber,
    S: writeText,
    pos: new Int32Array(t.fields.length),
    lens: Int32Array.from(t.fields, (f) => f.len),
    times: new Float64Array(2),
  };
  return new Function(...Object.keys(helpers), code)(...Object.values(helpers)) as CompiledJson;
}

const jsonCache = new WeakMap<Template, CompiledJson>();

/** The template's line writer, compiled once; the object path plus JSON.stringify when compileJson declines. */
export function jsonFor(t: Template): CompiledJson {
  let fn = jsonCache.get(t);
  if (fn === undefined) {
    const records = compileRecords(t);
    fn = compileJson(t) ?? ((b, o, end, x, exporter, out) => records(b, o, end, x, exporter, (r) => writeText(out, `${JSON.stringify(r)}\n`)));
    jsonCache.set(t, fn);
  }
  return fn;
}
