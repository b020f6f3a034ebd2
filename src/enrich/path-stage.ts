// The enrichment stage as the data path runs it (collector/stage.ts): one per decoding thread,
// in the plan's list after sampling. Every thread's stage has its own databases and caches; the
// main thread polls the networks CSV and SNMP once (host.ts) and hands new networks to every
// thread's stage (Engine.toStages), so all number them alike. With nothing configured it does
// nothing (one test per batch); a reload that adds or drops enrichment rebuilds it.
import type { NetworkDef } from "../config/types.ts";
import type { Stage, StageContext, StageSettings } from "../collector/stage.ts";
import { enrichNeeds } from "./needs.ts";
import { type EnrichCounters, type EnrichStage, createEnrichStage } from "./stage.ts";

export const ENRICH_STAGE = "enrich";

const ZERO: EnrichCounters = { records: 0, unmarked: 0, cacheHits: 0, cacheMisses: 0, lookupErrors: 0 };
const EMPTY = new Map<number, string>();

export function createEnrichPathStage(plan: StageSettings, ctx: StageContext): Stage {
  const build = (s: StageSettings): EnrichStage | null => createEnrichStage(s.config, ctx.log, { needs: enrichNeeds(s.config), hosted: true });
  let inner = build(plan);
  // Live totals, as /metrics reads them; what stages replaced by reloads counted stays in `before`.
  const counters: EnrichCounters = { ...ZERO };
  let before: EnrichCounters = { ...ZERO };
  const update = (): void => {
    const now = inner?.counters() ?? ZERO;
    for (const k of Object.keys(counters) as (keyof EnrichCounters)[]) counters[k] = before[k] + now[k];
  };
  return {
    name: ENRICH_STAGE,
    counters: counters as unknown as Readonly<Record<string, number>>,
    get learned() {
      return inner?.enricher?.geo?.asNames() ?? EMPTY;
    },
    process(b) {
      if (inner === null) return;
      inner.process(b);
      update();
    },
    reload(next) {
      update();
      before = { ...counters };
      inner?.close();
      inner = build(next);
    },
    message(payload) {
      inner?.enricher?.setNetworks(payload as readonly NetworkDef[]);
    },
  };
}
