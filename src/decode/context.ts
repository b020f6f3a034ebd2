// Per-datagram facts the compiled decoders read: where the datagram came from, its header clock,
// and the sampling state of its (exporter, domain). One mutable object per decoder, refilled for
// every datagram (and for held data, from what was saved with it), so decoding allocates nothing.

export interface DomainState {
  /** Sampling rate per sampler id (IE 48 / 302), from options data. */
  readonly samplers: Map<number, number>;
  /** Rate from an options record naming no sampler; 0 = none. */
  defaultRate: number;
  /** IE 160 systemInitTimeMilliseconds from options data; NaN = unknown. */
  sysInitMs: number;
}

export interface Ctx {
  exporterFamily: number;
  ea0: number;
  ea1: number;
  ea2: number;
  ea3: number;
  exporterId: number;
  version: number;
  domain: number;
  arrivalMs: number;
  /** Export time from the header, epoch ms (v5 includes unix_nsecs). */
  exportMs: number;
  /** sysUptime from the v5/v9 header, ms; 0 for IPFIX. */
  uptime: number;
  /** v5 header sampling interval; 0 = none. */
  headerRate: number;
  dom: DomainState;
  /** String interning for `string` extra columns: mirrors batch.strings. */
  readonly intern: Map<string, number>;
}

export function createCtx(): Ctx {
  return {
    exporterFamily: 0, ea0: 0, ea1: 0, ea2: 0, ea3: 0, exporterId: 0, version: 0, domain: 0, arrivalMs: 0,
    exportMs: 0, uptime: 0, headerRate: 0,
    dom: createDomainState(), intern: new Map(),
  };
}

export function createDomainState(): DomainState {
  return { samplers: new Map(), defaultRate: 0, sysInitMs: NaN };
}

/** The rate for a record with no rate of its own: options default, v5 header, else 1. */
export function fallbackRate(x: Ctx): number {
  return x.dom.defaultRate > 0 ? x.dom.defaultRate : x.headerRate > 0 ? x.headerRate : 1;
}
