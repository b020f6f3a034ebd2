// What the fuzzer feeds: one decoder through both outputs (the batch the collector uses, and
// printed records, each JSON-stringified like `xenoflow decode` does), and with `pipeline` the
// monitor of config/examples/bench.toml wired as src/collector/run.ts wires it.
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { type Decoder, type DecoderOptions, type ExporterRef, createDecoder } from "../../src/decode/index.ts";
import { expressionChecker, ianaLookup } from "../../src/expressions.ts";
import { type ExtraSpec, type FlowBatch, createBatch } from "../../src/flow/batch.ts";
import { type Monitor, createMonitor, requiredExtras } from "../../src/monitor/mo.ts";
import { compilePredicates, extrasFor } from "../../src/collector/predicates.ts";
import { rowsIn } from "../monitor/helpers.ts";

export const BENCH_CONFIG = join(import.meta.dir, "../../config/examples/bench.toml");

/** Small bounds, so that a fuzz run reaches eviction and held-data expiry often. */
export const FUZZ_BOUNDS: DecoderOptions = { templatesPerExporter: 32, templatesTotal: 256, pendingBytesPerExporter: 16384, pendingMs: 5000, optionsPerExporter: 4, optionsTotal: 32 };

export interface Target {
  decoder: Decoder;
  readonly monitor: Monitor | null;
  /** Decodes one datagram through every output. Exceptions propagate: they are the bugs. */
  feed(payload: Uint8Array, exporter: ExporterRef, arrivalMs: number): void;
  /** The periodic work of the pipeline's timers: held-data expiry, window collection. */
  tick(nowMs: number): void;
  /** Replaces the decoder (a restart), optionally restoring the old one's saved templates. */
  restart(restore: boolean): void;
  readonly out: { batched: number; printed: number; jsonBytes: number; windowRows: number };
}

function monitorParts(config: Config): { extras: ExtraSpec[]; monitor: Monitor } {
  const extras = extrasFor(config, requiredExtras(config, ianaLookup));
  return { extras, monitor: createMonitor(config, compilePredicates(config, extras), { extras, lookup: ianaLookup }) };
}

export function createTarget(opts: { pipeline: boolean; bounds?: DecoderOptions }): Target {
  const config = opts.pipeline ? loadConfig(BENCH_CONFIG, { expressions: expressionChecker }) : null;
  const parts = config ? monitorParts(config) : null;
  const extras = parts?.extras ?? [{ pen: 0, element: 234, type: "uint" as const }, { pen: 0, element: 82, type: "string" as const }];
  const monitor = parts?.monitor ?? null;
  const bounds = opts.bounds ?? (config ? { ...config.collector, pendingMs: config.collector.pendingSeconds * 1000 } : FUZZ_BOUNDS);
  const make = () => createDecoder({ ...bounds, extras });
  const batch: FlowBatch = createBatch(extras);
  const out = { batched: 0, printed: 0, jsonBytes: 0, windowRows: 0 };
  const process = (b: FlowBatch) => {
    out.batched += b.length;
    monitor?.process(b);
    b.length = 0;
  };
  const print = (r: object) => {
    out.printed++;
    out.jsonBytes += JSON.stringify(r).length;
  };
  const t: Target = {
    decoder: make(),
    monitor,
    out,
    feed(payload, exporter, arrivalMs) {
      t.decoder.decodeToBatch(payload, exporter, arrivalMs, batch, process);
      if (batch.length > 0) process(batch);
      t.decoder.decodeToRecords(payload, exporter, arrivalMs, print);
    },
    tick(nowMs) {
      t.decoder.expire(nowMs);
      if (monitor) for (const e of monitor.collect(nowMs)) out.windowRows += rowsIn(e).length;
    },
    restart(restore) {
      const snap = restore ? JSON.parse(JSON.stringify(t.decoder.templates.snapshot())) : null;
      t.decoder = make();
      if (snap !== null) t.decoder.templates.restore(snap);
    },
  };
  return t;
}
