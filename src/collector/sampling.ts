// The per-exporter sampling override (`[[exporter]] sampling_rate`): records of a listed exporter
// take its rate, whatever the datagram said (DESIGN.md section 3). Consecutive records mostly
// share an exporter (they come a datagram at a time), so the rate is looked up once per run of
// one exporter id, by comparing address words with the few configured exporters.
import type { Config } from "../config/types.ts";
import type { FlowBatch } from "../flow/batch.ts";
import type { Stage, StageSettings } from "./stage.ts";

interface Forced {
  /** Per configured exporter: family, then four address words. */
  readonly addrs: Uint32Array;
  readonly rates: Float64Array;
}

function forcedOf(config: Config): Forced {
  const list = config.exporters.filter((e) => e.samplingRate !== null && e.samplingRate > 0);
  const addrs = new Uint32Array(list.length * 5);
  const rates = new Float64Array(list.length);
  list.forEach((e, k) => {
    addrs[k * 5] = e.address.family;
    addrs.set(e.address.words, k * 5 + 1);
    rates[k] = e.samplingRate!;
  });
  return { addrs, rates };
}

/** The forced rate of record i's exporter, or 0 (not listed). */
function rateOf(f: Forced, b: FlowBatch, i: number): number {
  const fam = b.exporterFamily[i]!;
  const a = b.exporterAddr;
  const o = i * 4;
  const n = f.rates.length;
  for (let k = 0; k < n; k++) {
    const p = k * 5;
    if (f.addrs[p] !== fam || f.addrs[p + 1] !== a[o] || f.addrs[p + 2] !== a[o + 1] || f.addrs[p + 3] !== a[o + 2] || f.addrs[p + 4] !== a[o + 3]) continue;
    return f.rates[k]!;
  }
  return 0;
}

export function createSamplingStage(plan: StageSettings): Stage {
  let forced = forcedOf(plan.config);
  const counters = { overridden: 0 };
  return {
    name: "sampling",
    counters,
    process(b) {
      if (forced.rates.length === 0) return;
      const ids = b.exporterId;
      const sampling = b.sampling;
      let id = -1;
      let rate = 0;
      let n = 0;
      for (let i = 0, len = b.length; i < len; i++) {
        if (ids[i] !== id) {
          id = ids[i]!;
          rate = rateOf(forced, b, i);
        }
        if (rate > 0) {
          sampling[i] = rate;
          n++;
        }
      }
      counters.overridden += n;
    },
    reload(next) {
      forced = forcedOf(next.config);
    },
  };
}
