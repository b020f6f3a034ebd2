// IPFIX (RFC 7011): message header, then sets framed by their own lengths, within the message
// length. Templates and options templates (with scope counts), withdrawals, enterprise elements.
import { type Env, dataSet, learned } from "./sets.ts";
import type { TemplateField } from "./template.ts";
import type { ExporterState } from "./templates.ts";
import {
  IPFIX_ENTERPRISE_BIT, IPFIX_HEADER_LENGTH, IPFIX_OPTIONS_TEMPLATE_SET_ID, IPFIX_TEMPLATE_SET_ID, IPFIX_VERSION, MIN_DATA_SET_ID,
  SET_HEADER_LENGTH, allZero, u16, u32,
} from "./wire.ts";

export function decodeIpfix(env: Env, e: ExporterState, b: Uint8Array): void {
  const { x, faults } = env;
  if (b.length < IPFIX_HEADER_LENGTH) {
    faults.truncatedHeader++;
    return;
  }
  const msgLen = u16(b, 2);
  if (msgLen < IPFIX_HEADER_LENGTH) {
    faults.badMessageLength++;
    return;
  }
  if (msgLen > b.length) faults.badMessageLength++;
  const msgEnd = Math.min(msgLen, b.length);
  x.version = IPFIX_VERSION;
  x.uptime = 0;
  x.exportMs = u32(b, 4) * 1000;
  x.domain = u32(b, 12);
  x.headerRate = 0;
  x.dom = env.store.domainState(e, IPFIX_VERSION, x.domain);
  let o = IPFIX_HEADER_LENGTH;
  while (msgEnd - o >= SET_HEADER_LENGTH) {
    const id = u16(b, o);
    const len = u16(b, o + 2);
    if (len < SET_HEADER_LENGTH || o + len > msgEnd) {
      if (!allZero(b, o, msgEnd)) faults.badSetLength++;
      return;
    }
    const end = o + len;
    const body = o + SET_HEADER_LENGTH;
    if (id === IPFIX_TEMPLATE_SET_ID) templates(env, e, b, body, end, false);
    else if (id === IPFIX_OPTIONS_TEMPLATE_SET_ID) templates(env, e, b, body, end, true);
    else if (id >= MIN_DATA_SET_ID) dataSet(env, e, id, b, body, end);
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
      if (id === (options ? IPFIX_OPTIONS_TEMPLATE_SET_ID : IPFIX_TEMPLATE_SET_ID)) store.withdraw(e, IPFIX_VERSION, x.domain, null, options);
      else if (id >= MIN_DATA_SET_ID) store.withdraw(e, IPFIX_VERSION, x.domain, id, options);
      else if (!allZero(b, p, end)) faults.badTemplateId++;
      else return; // padding
      p += 4;
      continue;
    }
    if (id < MIN_DATA_SET_ID) {
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
      if (raw & IPFIX_ENTERPRISE_BIT) {
        if (end - q < 8) break;
        fields.push({ id: raw & ~IPFIX_ENTERPRISE_BIT, pen: u32(b, q + 4), len });
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
    const t = store.learn(e, IPFIX_VERSION, x.domain, id, fields, scopeCount, options);
    learned(env, e, t);
  }
}
