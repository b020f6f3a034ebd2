// The hot path: one generated function per template that appends its data records to a FlowBatch.
// The code is built only from the template's numbers (offsets, lengths, element ids) and fixed
// text; nothing from the packet becomes code. Every column of every record is written.
import type { ExtraSpec, FlowBatch } from "../flow/batch.ts";
import { type Ctx, fallbackRate } from "./context.ts";
import type { Faults } from "./faults.ts";
import { uintCode } from "./reads.ts";
import { type Template, VARLEN } from "./template.ts";
import { TimeKind, timePlan, timeValue } from "./times.ts";
import { fixedOffsets, walkRecord } from "./walk.ts";
import { stringValue } from "./values.ts";

/** Appends the records in b[o, end); returns how many. Calls onFull whenever the batch fills. */
export type CompiledBatch = (
  b: Uint8Array, o: number, end: number, batch: FlowBatch, x: Ctx, onFull: (b: FlowBatch) => void,
) => number;

// Batch columns fed by plain unsigned elements, first present element wins.
const UINT_COLUMNS: readonly (readonly [string, readonly number[]])[] = [
  ["srcMask", [9, 29]],
  ["dstMask", [13, 30]],
  ["srcPort", [7, 180, 182]],
  ["dstPort", [11, 181, 183]],
  ["proto", [4]],
  ["tos", [5]],
  ["tcpFlags", [6]],
  ["inIf", [10]],
  ["outIf", [14]],
  ["srcAs", [16]],
  ["dstAs", [17]],
  ["vlan", [58, 243]],
  ["sampler", [48, 302]],
  ["octets", [1, 85, 23, 231]],
  ["packets", [2, 86, 24, 298]],
];

// Columns that hold the full unsigned value (Float64Array); the others are integer typed arrays.
const FLOAT_COLUMNS = new Set(["octets", "packets"]);

export function compileBatch(t: Template, extras: readonly ExtraSpec[], faults: Faults): CompiledBatch {
  const fixed = t.fixedSize >= 0;
  const offs = fixed ? fixedOffsets(t) : [];
  const P = (k: number) => (fixed ? `o+${offs[k]}` : `P[${k}]`);
  const find = (ids: readonly number[], ok: (len: number) => boolean) => {
    for (const id of ids) {
      const k = t.fields.findIndex((f) => f.pen === 0 && f.id === id && f.len !== VARLEN && ok(f.len));
      if (k >= 0) return k;
    }
    return -1;
  };
  const uint = (k: number) => uintCode(P(k), t.fields[k]!.len);
  const isUint = (len: number) => len >= 1 && len <= 8;
  const body: string[] = [];

  for (const [col, ids] of UINT_COLUMNS) {
    const k = find(ids, isUint);
    const intCol = !FLOAT_COLUMNS.has(col);
    body.push(`C_${col}[i]=${k >= 0 ? uintCode(P(k), t.fields[k]!.len, intCol) : "0"};`);
  }

  // Addresses: IPv4 in word 0, IPv6 as four words; a template with both uses whichever is set.
  const addr = (col: string, k: number) =>
    t.fields[k]!.len === 4
      ? `C_${col}[i4]=${uintCode(P(k), 4, true)};C_${col}[i4+1]=0;C_${col}[i4+2]=0;C_${col}[i4+3]=0;`
      : [0, 1, 2, 3].map((w) => `C_${col}[i4+${w}]=${uintCode(`${P(k)}+${4 * w}`, 4, true)};`).join("");
  const zero = (col: string) => `C_${col}[i4]=0;C_${col}[i4+1]=0;C_${col}[i4+2]=0;C_${col}[i4+3]=0;`;
  const s4 = find([8], (l) => l === 4);
  const d4 = find([12], (l) => l === 4);
  const s6 = find([27], (l) => l === 16);
  const d6 = find([28], (l) => l === 16);
  const v4 = `C_family[i]=4;${s4 >= 0 ? addr("srcAddr", s4) : zero("srcAddr")}${d4 >= 0 ? addr("dstAddr", d4) : zero("dstAddr")}`;
  const v6 = `C_family[i]=6;${s6 >= 0 ? addr("srcAddr", s6) : zero("srcAddr")}${d6 >= 0 ? addr("dstAddr", d6) : zero("dstAddr")}`;
  const has4 = s4 >= 0 || d4 >= 0;
  const has6 = s6 >= 0 || d6 >= 0;
  if (has4 && has6) {
    const set4 = [s4, d4].filter((k) => k >= 0).map((k) => `${uint(k)}!==0`).join("||");
    body.push(`if(${set4}){${v4}}else{${v6}}`);
  } else if (has4) body.push(v4);
  else if (has6) body.push(v6);
  else body.push(`C_family[i]=0;${zero("srcAddr")}${zero("dstAddr")}`);

  const n4 = find([15, 18], (l) => l === 4);
  const n6 = find([62, 63], (l) => l === 16);
  if (n4 >= 0) body.push(`C_nextHopFamily[i]=4;${addr("nextHop", n4)}`);
  else if (n6 >= 0) body.push(`C_nextHopFamily[i]=6;${addr("nextHop", n6)}`);
  else body.push(`C_nextHopFamily[i]=0;${zero("nextHop")}`);

  // Sampling: the record's own rate, then options/v5 header (a configured override is the
  // collector's sampling stage, DESIGN.md section 7).
  const r34 = find([34], isUint);
  const r305 = find([305], isUint);
  const r306 = find([306], isUint);
  const r50 = find([50], isUint);
  const sid = find([48, 302], isUint);
  const own: string[] = [];
  if (r34 >= 0) own.push(`rate=${uint(r34)};`);
  if (r305 >= 0 && r306 >= 0) own.push(`if(!(rate>0)){const a=${uint(r305)};rate=a>0?(a+${uint(r306)})/a:0;}`);
  if (r50 >= 0) own.push(`if(!(rate>0))rate=${uint(r50)};`);
  const lookup = sid >= 0 ? `{const s=samplers.get(${uint(sid)});rate=s===undefined?fb:s;}` : "rate=fb;";
  // Nothing in the record decides the rate: it is the same for the whole set.
  if (own.length === 0 && sid < 0) body.push("C_sampling[i]=fb;");
  else body.push(`let rate=0;${own.join("")}if(!(rate>0))${lookup}C_sampling[i]=rate;`);

  const tp = timePlan(t);
  const init = tp.init >= 0 ? uint(tp.init) : "NaN";
  const time = (kind: TimeKind, k: number) => {
    if (kind === TimeKind.none) return "NaN";
    if (kind === TimeKind.ntpMicro || kind === TimeKind.ntpNano) {
      return `TV(${kind},${uintCode(P(k), 4)},${uintCode(`${P(k)}+4`, 4)},x,${init})`;
    }
    // The common v5/v9 case inline (same arithmetic as timeValue): no call per record.
    // Integer arithmetic modulo 2^32 throughout: the |0 difference is the signed one timeValue takes.
    if (kind === TimeKind.uptime && t.version !== 10 && t.fields[k]!.len === 4) return `exp-((up-${uintCode(P(k), 4, true)})|0)`;
    return `TV(${kind},${uint(k)},0,x,${init})`;
  };
  if (tp.duration >= 0 && (tp.start >= 0 || tp.end >= 0)) {
    body.push(`{let s=${time(tp.startKind, tp.start)},e=${time(tp.endKind, tp.end)};`
      + `if((s!==s)!==(e!==e)){const d=${uint(tp.duration)}*${tp.durationMs};if(s!==s)s=e-d;else e=s+d;}`
      + "C_startMs[i]=s;C_endMs[i]=e;}");
  } else body.push(`C_startMs[i]=${time(tp.startKind, tp.start)};C_endMs[i]=${time(tp.endKind, tp.end)};`);

  extras.forEach((e, n) => {
    const k = t.fields.findIndex((f) => f.pen === e.pen && f.id === e.element);
    const f = t.fields[k];
    const num = `X[${n}].num[i]`;
    if (!f) {
      body.push(e.type === "address" ? `${num}=NaN;X[${n}].family[i]=0;` : `${num}=NaN;`);
      return;
    }
    const len = fixed ? String(f.len) : `L[${k}]`;
    if (e.type === "address") {
      const wordsOf = (w: number) => `X[${n}].addr[i4+${w}]`;
      if (f.len === 4) body.push(`${num}=NaN;X[${n}].family[i]=4;${wordsOf(0)}=${uint(k)};${wordsOf(1)}=0;${wordsOf(2)}=0;${wordsOf(3)}=0;`);
      else if (f.len === 16) body.push(`${num}=NaN;X[${n}].family[i]=6;${[0, 1, 2, 3].map((w) => `${wordsOf(w)}=${uintCode(`${P(k)}+${4 * w}`, 4)};`).join("")}`);
      else body.push(`${num}=NaN;X[${n}].family[i]=0;`);
    } else if (e.type === "string") {
      body.push(`${num}=INTERN(batch,x,STR(b,${P(k)},${len}));`);
    } else if (f.len !== VARLEN && isUint(f.len)) {
      body.push(`${num}=${uint(k)};`);
    } else body.push(`${num}=NaN;`);
  });

  const columns = ["exporterFamily", "exporterAddr", "exporterId", "version", "domain", "arrivalMs", "family",
    "srcAddr", "dstAddr", "nextHop", "nextHopFamily", "sampling", "startMs", "endMs", ...UINT_COLUMNS.map((c) => c[0])];
  const code = `
    return function decodeTemplate${t.id}(b, o, end, batch, x, onFull) {
      ${columns.map((c) => `const C_${c}=batch.${c};`).join("")}
      const X=batch.extra, cap=batch.capacity, fb=FB(x), samplers=x.dom.samplers;
      const ef=x.exporterFamily, ea0=x.ea0, ea1=x.ea1, ea2=x.ea2, ea3=x.ea3, eid=x.exporterId, ver=x.version,
        dom=x.domain, arr=x.arrivalMs, exp=x.exportMs, up=x.uptime|0;
      let i=batch.length, n=0;
      while (${fixed ? `end-o>=${t.fixedSize}` : `end-o>=${t.minSize}`}) {
        ${fixed ? "" : `const next=WALK(T,b,o,end,P,L); if(next<0){F.truncatedRecord++;break;}`}
        const i4=i*4;
        C_exporterFamily[i]=ef;C_exporterAddr[i4]=ea0;C_exporterAddr[i4+1]=ea1;C_exporterAddr[i4+2]=ea2;
        C_exporterAddr[i4+3]=ea3;C_exporterId[i]=eid;C_version[i]=ver;C_domain[i]=dom;C_arrivalMs[i]=arr;
        ${body.join("\n        ")}
        n++;
        ${fixed ? `o+=${t.fixedSize};` : "o=next;"}
        if (++i===cap) { batch.length=i; onFull(batch); i=batch.length; }
      }
      batch.length=i;
      return n;
    };`;
  const make = new Function("T", "P", "L", "F", "WALK", "TV", "FB", "STR", "INTERN", code);
  const slots = fixed ? 0 : t.fields.length;
  return make(t, new Int32Array(slots), new Int32Array(slots), faults, walkRecord, timeValue, fallbackRate, stringValue, intern);
}

/** The string's id in the batch's string table (shared by every decoder writing the batch). */
export function intern(batch: FlowBatch, x: Ctx, s: string): number {
  if (batch.strings.length < x.intern.size) x.intern.clear(); // the owner emptied the table
  let id = x.intern.get(s);
  if (id === undefined) {
    id = batch.strings.length;
    batch.strings.push(s);
    x.intern.set(s, id);
  }
  return id;
}
