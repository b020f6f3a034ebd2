// The plan: what a configuration asks the data path to be, compiled once, and consumed alike by
// the inline engine and by every collector worker (each worker compiles the same plan from the
// config it is sent: compiled filters and decoders do not cross threads). It holds the batch's
// extra columns, the compiled filters, and how to build the decoder, the stages and the monitor;
// planChange() says what a reload to another plan changes.
//
// Adding a stage between decode and monitor: write it (stage.ts) and add its factory to STAGES.
// Adding an input: the decoder built here dispatches on the datagram.
import type { Config, LimitDef } from "../config/types.ts";
import { type Decoder, createDecoder } from "../decode/index.ts";
import { XenoflowError } from "../errors.ts";
import { ianaLookup } from "../expressions.ts";
import { type ExtraSpec, type FlowBatch, createBatch } from "../flow/batch.ts";
import { type Monitor, type Predicate, createMonitor, requiredExtras } from "../monitor/mo.ts";
import { compilePredicates, extrasFor } from "./predicates.ts";
import { createSamplingStage } from "./sampling.ts";
import type { Stage, StageContext, StageSettings } from "./stage.ts";
import { createEnrichPathStage } from "../enrich/path-stage.ts";

/** The stages between decode and monitor, in order; each is built once per decoding thread. */
const STAGES: readonly ((plan: StageSettings, ctx: StageContext) => Stage)[] = [createSamplingStage, createEnrichPathStage];

export interface Plan {
  readonly config: Config;
  /** The batch's extra columns: every [[field]], then the IANA elements keys read. */
  readonly extras: readonly ExtraSpec[];
  readonly predicates: ReadonlyMap<string, Predicate>;
  batch(): FlowBatch;
  decoder(): Decoder;
  stages(ctx: StageContext): Stage[];
  /**
   * The monitor of this plan; `reuse` carries a running monitor's unchanged windows and averages
   * over. Closed windows leave as numbers (WindowExport.raw). `allRows`: every window keeps every
   * row (a worker's: top-N is applied after the merge).
   */
  monitor(o?: { reuse?: Monitor; allRows?: boolean }): Monitor;
  /** The limits of a moving average of this plan (alerts keep their own engine across reloads). */
  limitsOf(a: { readonly mo: string; readonly def: { readonly name: string } }): readonly LimitDef[];
}

/** Throws ConfigError when the config's filters or keys cannot be compiled (an address list is unreadable, say). */
export function compilePlan(config: Config): Plan {
  const extras = extrasFor(config, requiredExtras(config, ianaLookup));
  const predicates = compilePredicates(config, extras);
  const c = config.collector;
  const plan: Plan = {
    config,
    extras,
    predicates,
    batch: () => createBatch(extras),
    decoder: () =>
      createDecoder({
        templatesPerExporter: c.templatesPerExporter,
        templatesTotal: c.templatesTotal,
        pendingBytesPerExporter: c.pendingBytesPerExporter,
        pendingMs: c.pendingSeconds * 1000,
        pendingBytesTotal: c.pendingBytesTotal,
        optionsPerExporter: c.optionsPerExporter,
        optionsTotal: c.optionsTotal,
        extras,
      }),
    stages: (ctx) => STAGES.map((make) => make(plan, ctx)),
    monitor: (o = {}) =>
      createMonitor(o.allRows ? allRows(config) : config, predicates, { extras, lookup: ianaLookup, reuse: o.reuse, window: { raw: true } }),
    limitsOf: (a) => config.mos.find((m) => m.name === a.mo)?.mavgs.find((x) => x.name === a.def.name)?.limits ?? [],
  };
  return plan;
}

/** What a reload from `old` to `next` changes. */
export interface PlanChange {
  /** The monitoring objects changed (other than limits): the monitor is rebuilt, reusing what did not change. */
  monitor: boolean;
  /** Settings that apply only after a restart. */
  restart: string[];
}

/** Throws (E_CONFIG) when the batch's columns would change: the decoders and batches are built for them. */
export function planChange(old: Plan, next: Plan): PlanChange {
  if (JSON.stringify(next.extras) !== JSON.stringify(old.extras)) {
    throw new XenoflowError("E_CONFIG", "[[field]] definitions or element keys changed; restart to apply them");
  }
  return { monitor: !same(monitorShape(old.config), monitorShape(next.config)), restart: restartNotes(old.config, next.config) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every window keeps every row: top-N is applied once, after the workers' windows are merged. */
function allRows(config: Config): Config {
  return { ...config, mos: config.mos.map((m) => ({ ...m, windows: m.windows.map((w) => ({ ...w, top: 0 })) })) };
}

/** The monitoring objects without their limits: what the monitor's state depends on. */
function monitorShape(config: Config): unknown {
  return { fields: config.fields, mos: config.mos.map((m) => ({ ...m, mavgs: m.mavgs.map((a) => ({ ...a, limits: [] })) })) };
}

function restartNotes(old: Config, next: Config): string[] {
  const notes: string[] = [];
  const check = (what: string, a: unknown, b: unknown) => {
    if (!same(a, b)) notes.push(`${what} changed: restart to apply`);
  };
  check("collector.listen", old.collector.listen, next.collector.listen);
  check("collector.workers", old.collector.workers, next.collector.workers);
  check("collector.recv_buffer", old.collector.recvBuffer, next.collector.recvBuffer);
  check("data_dir", old.dataDir, next.dataDir);
  check("storage", old.storage, next.storage);
  check("http", old.http, next.http);
  check("debug", old.debug, next.debug);
  return notes;
}
