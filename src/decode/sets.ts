// What v9 and IPFIX share once a set is framed: data sets go to their template's decoder, to the
// held queue, or to the unknownTemplate counter; a newly learned template replays what was held.
//
// The collector may decode one datagram twice, to the batch and then (debug.dump_flows) to
// printed records. The second pass (`mirror`) must not hold a data set again, and must hand the
// held sets the first pass replayed to its own output, so each output sees each record once.
import type { Ctx } from "./context.ts";
import type { Faults } from "./faults.ts";
import type { Held } from "./held.ts";
import { applyOptions } from "./options.ts";
import { type Template, templateKey } from "./template.ts";
import type { ExporterState, TemplateStore } from "./templates.ts";

/** Where decoded data records go: the batch (flows only) or printed records (flows and options). */
export interface Output {
  data(t: Template, b: Uint8Array, o: number, end: number, x: Ctx): void;
}

export interface Env {
  readonly store: TemplateStore;
  readonly faults: Faults;
  readonly x: Ctx;
  out: Output;
  /** Number of the current decode call; a mirror pass keeps its first pass's number. */
  seq: number;
  /** Second output of the datagram just decoded. */
  mirror: boolean;
  /** Held chains the first pass replayed, by template key, for its mirror pass. */
  readonly replayed: Map<number, Held>;
}

export function dataSet(env: Env, e: ExporterState, id: number, b: Uint8Array, o: number, end: number): void {
  const x = env.x;
  const t = env.store.get(e, x.version, x.domain, id);
  if (t) {
    decodeWith(env, e, t, b, o, end);
    return;
  }
  if (end === o) return; // an empty set holds no records: nothing to keep, nothing lost
  if (env.mirror) {
    // The first pass held it (or counted it); it comes out here when the template does.
    if (!env.store.canHold(end - o)) env.faults.unknownTemplate++;
    return;
  }
  const held = env.store.hold(e, {
    version: x.version, domain: x.domain, templateId: id, key: templateKey(x.version, x.domain, id),
    body: b.slice(o, end), exportMs: x.exportMs, uptime: x.uptime, arrivalMs: x.arrivalMs, seq: env.seq,
    owner: null, gPrev: null, gNext: null, ePrev: null, eNext: null, tNext: null,
  });
  if (!held) env.faults.unknownTemplate++;
}

function decodeWith(env: Env, e: ExporterState, t: Template, b: Uint8Array, o: number, end: number): void {
  const x = env.x;
  if (t.options && !env.mirror) {
    if (applyOptions(t, b, o, end, env.store.optionsSink(e, x.version, x.domain))) env.store.dirty = true;
    x.dom = env.store.domainState(e, x.version, x.domain); // it may have been created just now
  }
  env.out.data(t, b, o, end, x);
}

/** After store.learn(): decodes the held sets the template can read, each with its own clock. */
export function learned(env: Env, e: ExporterState, t: Template | null, version: number, domain: number, id: number): void {
  if (env.mirror) {
    const chain = env.replayed.get(templateKey(version, domain, id));
    // Sets held by this very datagram were decoded in place by this pass: the template was known.
    if (chain) replay(env, e, chain, env.seq);
    return;
  }
  if (!t) return;
  const chain = env.store.takeHeld(e, t);
  if (!chain) return;
  env.replayed.set(templateKey(version, domain, id), chain);
  replay(env, e, chain, -1);
}

function replay(env: Env, e: ExporterState, chain: Held, skipSeq: number): void {
  const x = env.x;
  const t = env.store.get(e, chain.version, chain.domain, chain.templateId);
  if (!t) return;
  const { exportMs, uptime, arrivalMs } = x;
  for (let h: Held | null = chain; h; h = h.tNext) {
    if (h.seq === skipSeq) continue;
    x.exportMs = h.exportMs;
    x.uptime = h.uptime;
    x.arrivalMs = h.arrivalMs;
    decodeWith(env, e, t, h.body, 0, h.body.length);
  }
  x.exportMs = exportMs;
  x.uptime = uptime;
  x.arrivalMs = arrivalMs;
}
