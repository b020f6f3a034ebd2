// IPFIX (RFC 7011): message header, then sets framed by their own lengths, within the message
// length. Templates and options templates (with scope counts), withdrawals, enterprise elements.
import { type Env, dataSet, learned } from "./sets.ts";
import type { TemplateField } from "./template.ts";
import type { ExporterState } from "./templates.ts";
import { allZero } from "./v9.ts";

export const IPFIX_HEADER_LEN = 16; // RFC 7011 section 3.1
const TEMPLATE_SET = 2; // RFC 7011 section 3.3.2
const OPTIONS_TEMPLATE_SET = 3;
const MIN_DATA_SET = 256;
const ENTERPRISE_BIT = 0x8000; // RFC 7011 section 3.2

const u16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number) => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

export function decodeIpfix(env: Env, e: ExporterState, b: Uint8Array): void {
  const { x, faults } = env;
  if (b.length < IPFIX_HEADER_LEN) {
    faults.truncatedHeader++;
    return;
  }
  const msgLen = u16(b, 2);
  if (msgLen < IPFIX_HEADER_LEN) {
    faults.badMessageLength++;
    return;
  }
  if (msgLen > b.length) faults.badMessageLength++;
  const msgEnd = Math.min(msgLen, b.length);
  x.version = 10;
  x.uptime = 0;
  x.exportMs = u32(b, 4) * 1000;
  x.domain = u32(b, 12);
  x.headerRate = 0;
  x.dom = env.store.domainState(e, 10, x.domain);
  let o = IPFIX_HEADER_LEN;
  while (msgEnd - o >= 4) {
    const id = u16(b, o);
    const len = u16(b, o + 2);
    if (len < 4 || o + len > msgEnd) {
      if (!allZero(b, o, msgEnd)) faults.badSetLength++;
      return;
    }
    const end = o + len;
    if (id === TEMPLATE_SET) templates(env, e, b, o + 4, end, false);
    else if (id === OPTIONS_TEMPLATE_SET) templates(env, e, b, o + 4, end, true);
    else if (id >= MIN_DATA_SET) dataSet(env, e, id, b, o + 4, end);
    else faults.reservedSetId++;
    o = end;
  }
}

function templates(env: Env, e: ExporterState, b: Uint8Array, p: number, end: number, options: boolean): void {
  const { faults, store, x } = env;
  const head = options ? 6 : 4;
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (count === 0) {
      // RFC 7011 section 8.1: withdrawal; id 2 (templates) / 3 (options templates) withdraws all.
      if (id === (options ? OPTIONS_TEMPLATE_SET : TEMPLATE_SET)) store.withdraw(e, 10, x.domain, null, options);
      else if (id >= MIN_DATA_SET) store.withdraw(e, 10, x.domain, id, options);
      else if (!allZero(b, p, end)) faults.badTemplateId++;
      else return; // padding
      p += 4;
      continue;
    }
    if (id < MIN_DATA_SET) {
      faults.badTemplateId++;
      return;
    }
    if (end - p < head) {
      faults.templateTooLong++;
      return;
    }
    const scopeCount = options ? u16(b, p + 4) : 0;
    if (options && (scopeCount === 0 || scopeCount > count)) {
      faults.badScopeCount++;
      return;
    }
    const fields: TemplateField[] = [];
    let q = p + head;
    for (let k = 0; k < count; k++) {
      if (end - q < 4) break;
      const raw = u16(b, q);
      const len = u16(b, q + 2);
      if (raw & ENTERPRISE_BIT) {
        if (end - q < 8) break;
        fields.push({ id: raw & ~ENTERPRISE_BIT, pen: u32(b, q + 4), len });
        q += 8;
      } else {
        fields.push({ id: raw, pen: 0, len });
        q += 4;
      }
    }
    if (fields.length < count) {
      faults.templateTooLong++;
      return;
    }
    p = q;
    if (fields.every((f) => f.len === 0)) {
      faults.zeroSizeRecord++;
      continue;
    }
    const t = store.learn(e, 10, x.domain, id, fields, scopeCount, options);
    learned(env, e, t, 10, x.domain, id);
  }
}
