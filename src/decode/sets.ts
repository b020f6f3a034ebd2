// What v9 and IPFIX share once a set is framed: data sets go to their template's decoder, to the
// held queue, or to the unknownTemplate counter; a newly learned template replays what was held.
// Each datagram is decoded once: the flow dump is written from the same walk as the batch.
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
}

export function dataSet(env: Env, e: ExporterState, id: number, b: Uint8Array, o: number, end: number): void {
  const x = env.x;
  const t = env.store.get(e, x.version, x.domain, id);
  if (t) {
    decodeWith(env, e, t, b, o, end);
    return;
  }
  if (end === o) return; // an empty set holds no records: nothing to keep, nothing lost
  const held = env.store.hold(e, {
    key: templateKey(x.version, x.domain, id), body: b.slice(o, end), exportMs: x.exportMs, uptime: x.uptime, arrivalMs: x.arrivalMs,
    owner: null, gPrev: null, gNext: null, ePrev: null, eNext: null, tNext: null,
  });
  if (!held) env.faults.unknownTemplate++;
}

function decodeWith(env: Env, e: ExporterState, t: Template, b: Uint8Array, o: number, end: number): void {
  const x = env.x;
  if (t.options) {
    if (applyOptions(t, b, o, end, env.store.optionsSink(e, x.version, x.domain))) env.store.dirty = true;
    x.dom = env.store.domainState(e, x.version, x.domain); // it may have been created just now
  }
  env.out.data(t, b, o, end, x);
}

/** After store.learn(): decodes the held sets the template can read, each with its own clock. */
export function learned(env: Env, e: ExporterState, t: Template | null): void {
  if (!t) return;
  const chain = env.store.takeHeld(e, t);
  if (!chain) return;
  const x = env.x;
  const { exportMs, uptime, arrivalMs } = x;
  for (let h: Held | null = chain; h; h = h.tNext) {
    x.exportMs = h.exportMs;
    x.uptime = h.uptime;
    x.arrivalMs = h.arrivalMs;
    decodeWith(env, e, t, h.body, 0, h.body.length);
  }
  x.exportMs = exportMs;
  x.uptime = uptime;
  x.arrivalMs = arrivalMs;
}
