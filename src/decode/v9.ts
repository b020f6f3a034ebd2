// NetFlow v9 (RFC 3954): header, then flowsets framed by their own lengths. The header count is
// not used for framing (exporters get it wrong); every template in every template flowset is learned.
import { V9_SCOPE_BASE } from "./elements.ts";
import { type Env, dataSet, learned } from "./sets.ts";
import type { TemplateField } from "./template.ts";
import type { ExporterState } from "./templates.ts";
import {
  MIN_DATA_SET_ID, SET_HEADER_LENGTH, V9_HEADER_LENGTH, V9_OPTIONS_TEMPLATE_FLOWSET_ID, V9_TEMPLATE_FLOWSET_ID, V9_VERSION, allZero, u16, u32,
} from "./wire.ts";

export function decodeV9(env: Env, e: ExporterState, b: Uint8Array): void {
  const { x, faults } = env;
  if (b.length < V9_HEADER_LENGTH) {
    faults.truncatedHeader++;
    return;
  }
  x.version = V9_VERSION;
  x.uptime = u32(b, 4);
  x.exportMs = u32(b, 8) * 1000;
  x.domain = u32(b, 16);
  x.headerRate = 0;
  x.dom = env.store.domainState(e, V9_VERSION, x.domain);
  let o = V9_HEADER_LENGTH;
  while (b.length - o >= SET_HEADER_LENGTH) {
    const id = u16(b, o);
    const len = u16(b, o + 2);
    if (len < SET_HEADER_LENGTH || o + len > b.length) {
      // Zero fill after the last flowset (Cisco ACI, PAN-OS) is not a fault; anything else is.
      if (!allZero(b, o, b.length)) faults.badSetLength++;
      return;
    }
    const end = o + len;
    const body = o + SET_HEADER_LENGTH;
    if (id === V9_TEMPLATE_FLOWSET_ID) templates(env, e, b, body, end);
    else if (id === V9_OPTIONS_TEMPLATE_FLOWSET_ID) optionsTemplates(env, e, b, body, end);
    else if (id >= MIN_DATA_SET_ID) dataSet(env, e, id, b, body, end);
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
  const t = env.store.learn(e, V9_VERSION, env.x.domain, id, fields, scopeCount, options);
  learned(env, e, t);
}

function templates(env: Env, e: ExporterState, b: Uint8Array, p: number, end: number): void {
  const { faults } = env;
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (id < MIN_DATA_SET_ID) {
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
    if (id < MIN_DATA_SET_ID) {
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
