// The per-exporter sampling override as a stage of the plan: [[exporter]] sampling_rate forces the
// batch's sampling column for that exporter only (IPFIX, NetFlow v9 and sFlow records alike), and
// a reload's new rates apply in place. The decoder itself never forces a rate.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compilePlan } from "../../src/collector/plan.ts";
import { loadConfig } from "../../src/config/load.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { createLogger } from "../../src/log.ts";
import { set, v9 } from "../decode/wire.ts";
import { parseAddress } from "../support/pcapwrite.ts";
import { datagram, flowSample, tlv } from "../support/sflowwrite.ts";

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

// RFC 3954: an options record naming no sampler sets the domain's rate to 1000 (samplingInterval,
// IE 34), then template 256 (sourceIPv4Address, packetDeltaCount) and two records of it.
const V9_HEADER = { uptime: 4096, secs: 0x65000000 };
const v9Message = v9(V9_HEADER,
  set(1, "012c 0004 0008  0001 0004  0022 0004  0023 0001"), set(300, "00000000 000003e8 02 000000"),
  set(0, "0100 0002  0008 0004  0002 0004"), set(256, "0a000001 0000000a  0a000002 00000001"));

// sFlow v5: the agent is the exporter; two samples, at 1 in 10 and 1 in 20.
const sample = (rate: number) => flowSample([tlv(3, 40, 6, parseAddress("10.0.0.1"), parseAddress("10.0.0.2"), 1, 2, 0, 0)], { rate });
const sflowMessage = (agent: string) => datagram(agent, [sample(10), sample(20)]);

/** The plan's decoder and sampling stage, and each record's rate after the stage. */
function stageOf(rate: number) {
  const p = plan(rate);
  const decoder = p.decoder();
  const [stage] = p.stages({ log: createLogger({ write: () => {} }) }).filter((s) => s.name === "sampling");
  const batch = p.batch();
  const rates = (payload: Uint8Array, addr: string, id: number) => {
    batch.length = 0;
    decoder.decodeToBatch(payload, { addr, id }, 1000, batch, () => {});
    stage!.process(batch);
    return Array.from(batch.sampling.subarray(0, batch.length));
  };
  return { stage: stage!, rates };
}

test("forced sampling rates come from the config, per exporter, and follow a reload", () => {
  const { stage, rates } = stageOf(10);
  expect([rates(message, "192.0.2.1", 0), rates(message, "192.0.2.2", 1)]).toEqual([[10], [1]]);
  stage.reload(plan(100));
  expect([rates(message, "192.0.2.1", 0), rates(message, "192.0.2.2", 1)]).toEqual([[100], [1]]);
  expect(stage.counters).toEqual({ overridden: 2 });
});

test("NetFlow v9: a forced rate replaces the options data's; an unlisted exporter keeps it", () => {
  const { stage, rates } = stageOf(64);
  expect([rates(v9Message, "192.0.2.1", 0), rates(v9Message, "192.0.2.2", 1)]).toEqual([[64, 64], [1000, 1000]]);
  expect(stage.counters).toEqual({ overridden: 2 });
});

test("sFlow: a forced rate replaces each sample's own; an unlisted agent keeps them", () => {
  const { stage, rates } = stageOf(50);
  expect([rates(sflowMessage("192.0.2.1"), "192.0.2.1", 0), rates(sflowMessage("192.0.2.2"), "192.0.2.2", 1)]).toEqual([[50, 50], [10, 20]]);
  expect(stage.counters).toEqual({ overridden: 2 });
});
