// Why CPU per flow rises below saturation: the same decode + monitor work on the bench config,
// done back to back, or in slices of 17 datagrams (what one read finds at ~0.5 M flows/s) each
// followed by a 1 ms gap that sleeps or spins. Wall time of the work alone, ns per record.
//   taskset -c 0 bun test/bench/gaps.bench.ts [rounds]
import { loadConfig } from "../../src/config/load.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { ianaLookup } from "../../src/expressions.ts";
import { type FlowBatch, createBatch } from "../../src/flow/batch.ts";
import { createMonitor, requiredExtras } from "../../src/monitor/mo.ts";
import { compilePredicates, extrasFor } from "../../src/collector/predicates.ts";
import { genPool } from "./inproc.ts";

const SLICE = 17;
const config = loadConfig("config/examples/bench.toml");
const pool = genPool({});
const extras = extrasFor(config, requiredExtras(config, ianaLookup));
const decoder = createDecoder({ templatesPerExporter: 64, templatesTotal: 1024, pendingBytesPerExporter: 1 << 20, pendingMs: 60_000, extras });
const monitor = createMonitor(config, compilePredicates(config, extras), { extras, lookup: ianaLookup });
const batch: FlowBatch = createBatch(extras);
const ex = { addr: "127.0.0.1", id: 0 };
const process_ = (b: FlowBatch) => {
  monitor.process(b);
  b.length = 0;
};
const first = new Uint8Array(2048);
let now = Date.now();
decoder.decodeToBatch(first.subarray(0, pool.codec.compose(pool.datagrams[0]!, pool.records, true, first)), ex, now, batch, process_);
let k = 0;

/** One slice: SLICE datagrams into the batch, then the monitor; returns its wall time in ms. */
function slice(): number {
  const t0 = performance.now();
  for (let d = 0; d < SLICE; d++, k++) {
    now += 0.029;
    decoder.decodeToBatch(pool.datagrams[k % pool.datagrams.length]!, ex, Math.floor(now), batch, process_);
  }
  if (batch.length > 0) process_(batch);
  return performance.now() - t0;
}

async function run(gap: "none" | "sleep" | "spin", slices: number): Promise<number> {
  let ms = 0;
  for (let s = 0; s < slices; s++) {
    ms += slice();
    if (gap === "sleep") await Bun.sleep(1);
    else if (gap === "spin") for (const end = performance.now() + 1; performance.now() < end; );
  }
  return (ms * 1e6) / (slices * SLICE * pool.records);
}

await run("none", 5000); // warm-up: the JIT's top tier, tables at size
for (let r = 0; r < Number(process.argv[2] ?? 3); r++) {
  const [none, sleep, spin] = [await run("none", 2000), await run("sleep", 2000), await run("spin", 2000)];
  console.log(`back to back ${none.toFixed(1)}, 1 ms sleep between slices ${sleep.toFixed(1)}, 1 ms spin ${spin.toFixed(1)} ns/record`);
}
