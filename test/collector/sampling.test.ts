// The per-exporter sampling override as a stage of the plan: [[exporter]] sampling_rate forces the
// batch's sampling column for that exporter only, and a reload's new rates apply in place.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compilePlan } from "../../src/collector/plan.ts";
import { loadConfig } from "../../src/config/load.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { createLogger } from "../../src/log.ts";

const dir = mkdtempSync(join(tmpdir(), "xf-sampling-stage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plan(rate: number) {
  const file = join(dir, `r${rate}.toml`);
  writeFileSync(file, `data_dir = "${dir}"\n[[exporter]]\naddress = "192.0.2.1"\nname = "edge-1"\nsampling_rate = ${rate}\n`);
  return compilePlan(loadConfig(file, { expressions: expressionChecker }));
}

// RFC 7011: IPFIX template 256 (sourceIPv4Address, octetDeltaCount) and one record of it.
const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/ /g, ""), "hex"));
const message = hex("000a 002c 5f5e1000 00000000 00000001  0002 0010 0100 0002 0008 0004 0001 0004  0100 000c c0000201 000003e8");

test("forced sampling rates come from the config, per exporter, and follow a reload", () => {
  const p = plan(10);
  const decoder = p.decoder();
  const [stage] = p.stages({ log: createLogger({ write: () => {} }) }).filter((s) => s.name === "sampling");
  const batch = p.batch();
  const rates = (addr: string, id: number) => {
    batch.length = 0;
    decoder.decodeToBatch(message, { addr, id }, 1000, batch, () => {});
    stage!.process(batch);
    return Array.from(batch.sampling.subarray(0, batch.length));
  };
  expect([rates("192.0.2.1", 0), rates("192.0.2.2", 1)]).toEqual([[10], [1]]);
  stage!.reload(plan(100));
  expect([rates("192.0.2.1", 0), rates("192.0.2.2", 1)]).toEqual([[100], [1]]);
  expect(stage!.counters).toEqual({ overridden: 2 });
});
