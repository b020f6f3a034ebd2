// What v9 and IPFIX share once a set is framed: data sets go to their template's decoder, to the
// held queue, or to the unknownTemplate counter; a newly learned template replays what was held.
import type { Ctx } from "./context.ts";
import type { Faults } from "./faults.ts";
import { applyOptions } from "./options.ts";
import type { Template } from "./template.ts";
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
    decodeWith(env, t, b, o, end);
    return;
  }
  const held = env.store.hold(e, {
    version: x.version, domain: x.domain, templateId: id, body: b.slice(o, end),
    exportMs: x.exportMs, uptime: x.uptime, arrivalMs: x.arrivalMs,
  });
  if (!held) env.faults.unknownTemplate++;
}

function decodeWith(env: Env, t: Template, b: Uint8Array, o: number, end: number): void {
  if (t.options && applyOptions(t, b, o, end, env.x.dom)) env.store.dirty = true;
  env.out.data(t, b, o, end, env.x);
}

/** Decodes the held sets a just-learned template can read, each with its own header clock. */
export function replayHeld(env: Env, e: ExporterState, t: Template): void {
  const held = env.store.takeHeld(e, t);
  if (held.length === 0) return;
  const x = env.x;
  const exportMs = x.exportMs;
  const uptime = x.uptime;
  const arrivalMs = x.arrivalMs;
  for (const h of held) {
    x.exportMs = h.exportMs;
    x.uptime = h.uptime;
    x.arrivalMs = h.arrivalMs;
    decodeWith(env, t, h.body, 0, h.body.length);
  }
  x.exportMs = exportMs;
  x.uptime = uptime;
  x.arrivalMs = arrivalMs;
}
