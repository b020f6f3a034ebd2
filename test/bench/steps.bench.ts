// Steps at one rate against one collector: what the kernel dropped and the CPU per M flows in
// each, after a 2 s warm-up at 1 M/s (docs/PERFORMANCE.md, sFlow at 2 M samples/s).
//
//   bun test/bench/steps.bench.ts [config] [fps] [steps] [records per datagram] [gen flags...]
//   e.g. bun test/bench/steps.bench.ts config/examples/bench.toml 2000000 6 7 --version sflow --records 7 --sampling 1000 --octets 114-1500
import { startCollector, step } from "./e2e.ts";

const [config = "config/examples/bench.toml", fps = "2000000", steps = "6", records = "29"] = process.argv.slice(2, 6);
const flags = process.argv.slice(6);
const c = await startCollector(config, 0);
try {
  await step(c, 1e6, 2, flags, Number(records));
  for (let k = 0; k < Number(steps); k++) {
    const s = await step(c, Number(fps), 4, flags, Number(records));
    console.log(`${(s.fps / 1e6).toFixed(2)} M/s: lost ${s.lossPct.toFixed(3)} %, kernel drops ${s.kernelDrops}, other ${s.otherLoss}, ${s.cpuPerMFlows.toFixed(3)} CPU-s/M`);
  }
} finally {
  await c.stop();
}
