// The decoder as the configuration sets it up: its bounds from [collector], and the forced
// sampling rates of [[exporter]] entries, which a reload replaces in place (setConfig). Shared by
// the single-thread collector (pipeline.ts) and each worker thread (workers/thread.ts).
import type { Config } from "./config/types.ts";
import { type Decoder, createDecoder } from "./decode/index.ts";
import type { ExtraSpec } from "./flow/batch.ts";

export interface ConfiguredDecoder {
  decoder: Decoder;
  /** Takes the forced sampling rates of a reloaded configuration (the bounds stay until restart). */
  setConfig(c: Config): void;
}

export function createConfiguredDecoder(config: Config, extras: readonly ExtraSpec[]): ConfiguredDecoder {
  const forced = new Map<string, number>();
  const setConfig = (c: Config) => {
    forced.clear();
    for (const e of c.exporters) if (e.samplingRate !== null) forced.set(e.address.text, e.samplingRate);
  };
  setConfig(config);
  const c = config.collector;
  const decoder = createDecoder({
    templatesPerExporter: c.templatesPerExporter,
    templatesTotal: c.templatesTotal,
    pendingBytesPerExporter: c.pendingBytesPerExporter,
    pendingMs: c.pendingSeconds * 1000,
    pendingBytesTotal: c.pendingBytesTotal,
    optionsPerExporter: c.optionsPerExporter,
    optionsTotal: c.optionsTotal,
    extras,
    forcedSampling: (addr) => forced.get(addr) ?? null,
  });
  return { decoder, setConfig };
}
