// A learned template: its fields as numbers and the record layout derived from them. The compiled
// decoders are attached lazily, once per template, by whoever needs them.

/** RFC 7011 section 7: a field length of 65535 announces a variable-length field. */
export const VARLEN = 0xffff;

export interface TemplateField {
  readonly id: number; // IANA id, v9 vendor type, or V9_SCOPE_BASE + scope type
  readonly pen: number; // 0 = IANA / NetFlow v9 field type
  readonly len: number; // bytes, or VARLEN
}

export interface Template {
  readonly version: number; // 5, 9, 10
  readonly domain: number;
  readonly id: number;
  readonly fields: readonly TemplateField[];
  readonly scopeCount: number; // options templates: leading scope fields
  readonly options: boolean;
  /** Record size when every field is fixed-length, else -1. */
  readonly fixedSize: number;
  /** The smallest record: fixed fields plus one length byte per variable-length field. */
  readonly minSize: number;
  lastUsed: number;
  /** Use clock when it took its place in the exporter's eviction order (templates.ts). */
  placed: number;
  batch: unknown; // CompiledBatch, set by compile-batch.ts on first use
  records: unknown; // CompiledRecords, set by compile-records.ts on first use
}

export function makeTemplate(
  version: number, domain: number, id: number, fields: readonly TemplateField[], scopeCount: number, options: boolean,
): Template {
  let fixed = 0;
  let min = 0;
  let varlen = false;
  for (const f of fields) {
    if (f.len === VARLEN) { varlen = true; min += 1; }
    else { fixed += f.len; min += f.len; }
  }
  return {
    version, domain, id, fields, scopeCount, options,
    fixedSize: varlen ? -1 : fixed, minSize: min, lastUsed: 0, placed: 0, batch: null, records: null,
  };
}

export function sameFields(a: Template, fields: readonly TemplateField[], scopeCount: number, options: boolean): boolean {
  if (a.fields.length !== fields.length || a.scopeCount !== scopeCount || a.options !== options) return false;
  for (let k = 0; k < fields.length; k++) {
    const x = a.fields[k]!;
    const y = fields[k]!;
    if (x.id !== y.id || x.pen !== y.pen || x.len !== y.len) return false;
  }
  return true;
}

/** Numeric key of a template within one exporter: (version, domain, template id). */
export function templateKey(version: number, domain: number, id: number): number {
  return ((version === 10 ? 0x100000000 : 0) + domain) * 0x10000 + id; // < 2^49
}

/** Numeric key of an exporter's domain, for options state. */
export function domainKey(version: number, domain: number): number {
  return (version === 10 ? 0x100000000 : version === 5 ? 0x200000000 : 0) + domain;
}
