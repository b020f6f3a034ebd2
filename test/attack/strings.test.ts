// Distinct strings in a `string` key column (issue 8 item 2): the batch interns each string value
// in batch.strings (src/flow/batch.ts: "cleared by the owner when it grows too big") and the
// decoder mirrors it in its intern map. A sender that varies interfaceName in every record makes
// both grow unless the owner clears them.
import { describe, expect, test } from "bun:test";
import { createDecoder } from "../../src/decode/index.ts";
import { BATCH_STRINGS_MAX, createBatch, type FlowBatch, resetBatch } from "../../src/flow/batch.ts";
import { COLLECTOR_BOUNDS, TEMPLATE_SET, ipfixMessage, set, templateRecord } from "./wire.ts";

const SECS = 1_700_000_000;
const NAME_ID = 310; // sourceIPv4Address, interfaceName (IE 82, variable length)
const template = ipfixMessage(0, SECS, [set(TEMPLATE_SET, [templateRecord(NAME_ID, [[8, 4], [82, 0xffff]])])]);

function names(from: number, n: number): Uint8Array {
  const enc = new TextEncoder();
  return ipfixMessage(0, SECS, [set(NAME_ID, Array.from({ length: n }, (_, k) => {
    const s = enc.encode(`if-${from + k}`);
    const r = new Uint8Array(5 + s.length);
    new DataView(r.buffer).setUint32(0, 0x0a000001);
    r[4] = s.length;
    r.set(s, 5);
    return r;
  }))]);
}

describe("string key columns", () => {
  // With a `string` [[field]] or key, every distinct value received would stay in batch.strings
  // and in the decoder's intern map for the life of the process, unless the owner empties the
  // table once it passes a bound (resetBatch, which the pipeline calls after monitor.process()).
  test("200 000 distinct interface names through the pipeline's batch loop stay bounded", () => {
    const extras = [{ pen: 0, element: 82, type: "string" as const }];
    const d = createDecoder({ ...COLLECTOR_BOUNDS, extras });
    const batch = createBatch(extras);
    let flows = 0;
    // What src/collector/run.ts does with each full or finished batch: monitor.process(b), then resetBatch.
    const process = (b: FlowBatch) => {
      flows += b.length;
      resetBatch(b);
    };
    const ex = { addr: "192.0.2.1", id: 0 };
    d.decodeToBatch(template, ex, 0, batch, process);
    for (let k = 0; k < 200_000; k += 100) {
      d.decodeToBatch(names(k, 100), ex, 1, batch, process);
      if (batch.length > 0) process(batch);
    }
    expect(flows).toBe(200_000);
    expect(batch.strings.length).toBeLessThanOrEqual(BATCH_STRINGS_MAX);
  });
});
