// NetFlow v9 (RFC 3954): header, then flowsets framed by their own lengths. The header count is
// not used for framing (exporters get it wrong); every template in every template flowset is learned.
import { V9_SCOPE_BASE } from "./elements.ts";
import { type Env, dataSet, learned } from "./sets.ts";
import type { TemplateField } from "./template.ts";
import type { ExporterState } from "./templates.ts";

export const V9_HEADER_LEN = 20; // RFC 3954 section 5.1
const TEMPLATE_FLOWSET = 0; // RFC 3954 section 5.2
const OPTIONS_TEMPLATE_FLOWSET = 1; // RFC 3954 section 6.1
const MIN_DATA_FLOWSET = 256; // RFC 3954 section 5.3

const u16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number) => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

export function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let p = from; p < to; p++) if (b[p] !== 0) return false;
  return true;
}

export function decodeV9(env: Env, e: ExporterState, b: Uint8Array): void {
  const { x, faults } = env;
  if (b.length < V9_HEADER_LEN) {
    faults.truncatedHeader++;
    return;
  }
  x.version = 9;
  x.uptime = u32(b, 4);
  x.exportMs = u32(b, 8) * 1000;
  x.domain = u32(b, 16);
  x.headerRate = 0;
  x.dom = env.store.domainState(e, 9, x.domain);
  let o = V9_HEADER_LEN;
  while (b.length - o >= 4) {
    const id = u16(b, o);
    const len = u16(b, o + 2);
    if (len < 4 || o + len > b.length) {
      // Zero fill after the last flowset (Cisco ACI, PAN-OS) is not a fault; anything else is.
      if (!allZero(b, o, b.length)) faults.badSetLength++;
      return;
    }
    const end = o + len;
    if (id === TEMPLATE_FLOWSET) templates(env, e, b, o + 4, end);
    else if (id === OPTIONS_TEMPLATE_FLOWSET) optionsTemplates(env, e, b, o + 4, end);
    else if (id >= MIN_DATA_FLOWSET) dataSet(env, e, id, b, o + 4, end);
    else faults.reservedSetId++;
    o = end;
  }
}

function readFields(b: Uint8Array, p: number, n: number, base: number, out: TemplateField[]): void {
  for (let k = 0; k < n; k++, p += 4) out.push({ id: base + u16(b, p), pen: 0, len: u16(b, p + 2) });
}

function learn(env: Env, e: ExporterState, id: number, fields: TemplateField[], scopeCount: number, options: boolean): void {
  if (fields.every((f) => f.len === 0)) {
    env.faults.zeroSizeRecord++;
    return;
  }
  const t = env.store.learn(e, 9, env.x.domain, id, fields, scopeCount, options);
  learned(env, e, t, 9, env.x.domain, id);
}

function templates(env: Env, e: ExporterState, b: Uint8Array, p: number, end: number): void {
  const { faults } = env;
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (id < MIN_DATA_FLOWSET) {
      if (!allZero(b, p, end)) faults.badTemplateId++;
      return;
    }
    if (count === 0) {
      faults.badFieldCount++;
      return;
    }
    if (p + 4 + count * 4 > end) {
      faults.templateTooLong++;
      return;
    }
    const fields: TemplateField[] = [];
    readFields(b, p + 4, count, 0, fields);
    learn(env, e, id, fields, 0, false);
    p += 4 + count * 4;
  }
}

function optionsTemplates(env: Env, e: ExporterState, b: Uint8Array, p: number, end: number): void {
  const { faults } = env;
  // Each options template is followed by padding to a 4-byte boundary, which may be non-zero (WLC).
  while (end - p >= 6) {
    const id = u16(b, p);
    const scopeLen = u16(b, p + 2);
    const optionLen = u16(b, p + 4);
    if (id < MIN_DATA_FLOWSET) {
      if (!allZero(b, p, end)) faults.badTemplateId++;
      return;
    }
    if (scopeLen % 4 !== 0 || optionLen % 4 !== 0 || scopeLen + optionLen === 0) {
      faults.badFieldCount++;
      return;
    }
    if (p + 6 + scopeLen + optionLen > end) {
      faults.templateTooLong++;
      return;
    }
    const fields: TemplateField[] = [];
    readFields(b, p + 6, scopeLen / 4, V9_SCOPE_BASE, fields);
    readFields(b, p + 6 + scopeLen, optionLen / 4, 0, fields);
    learn(env, e, id, fields, scopeLen / 4, true);
    p += 6 + scopeLen + optionLen;
  }
}
