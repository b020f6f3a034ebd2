// The per-datagram path of the collector (src/collector/ingest.ts) with the debug flow dump on: one decode
// per datagram writes the batch and the dump, and the dump holds exactly what `xenoflow decode`
// prints for the same datagrams, on every capture of the vendor corpus and the real exporters.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCapture } from "../../src/capture/decode.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { openFlowDump } from "../../src/flow/dump.ts";
import { createIngest } from "../../src/collector/ingest.ts";
import type { Monitor } from "../../src/monitor/mo.ts";
import { readCapture } from "../../src/capture/pcap.ts";
import type { Datagram } from "../../src/receive/udp.ts";
import { CORPUS } from "../support/corpus.ts";

const EXPORTERS = join(import.meta.dir, "../fixtures/exporters");
const captures = [
  ...readdirSync(CORPUS).filter((f) => /\.pcapn?g?$/.test(f)).map((f) => join(CORPUS, f)),
  ...readdirSync(EXPORTERS).filter((f) => /\.pcapn?g?$/.test(f)).map((f) => join(EXPORTERS, f)),
];
const dir = mkdtempSync(join(tmpdir(), "xenoflow-ingest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// As generous as `xenoflow decode`, so held data and late templates behave the same in both.
const BOUNDS = { templatesPerExporter: 4096, templatesTotal: 65536, pendingBytesPerExporter: 4 << 20, pendingMs: 600_000 };

/** Datagrams through the ingest path with the dump on: the dump's lines, what reached the monitor, the exporters' flow counts. */
async function viaIngest(datagrams: Iterable<Datagram>, file: string): Promise<{ lines: string[]; batched: number; flows: number }> {
  const dump = openFlowDump(file);
  let batched = 0;
  // The monitor only counts what reaches it: what the windows would see.
  const monitor = { process: (b: FlowBatch) => void (batched += b.length) } as unknown as Monitor;
  const ingest = createIngest({ decoder: createDecoder(BOUNDS), batch: createBatch(), stages: [], monitor: () => monitor, dump });
  for (const d of datagrams) ingest.onDatagram(d);
  ingest.flush();
  await dump.close();
  const text = readFileSync(file, "utf8");
  const flows = [...ingest.exporters.values()].reduce((a, e) => a + e.flows, 0);
  return { lines: text === "" ? [] : text.trimEnd().split("\n"), batched, flows };
}

test.each(captures.map((c) => [c.slice(c.lastIndexOf("/") + 1), c]))("%s: the dump is what xenoflow decode prints, from one decode", async (name, path) => {
  const bytes = new Uint8Array(readFileSync(path));
  const want = decodeCapture(bytes).rows.map((r) => r.record);
  const datagrams = readCapture(bytes).datagrams.map((c) => ({ payload: c.payload, addr: c.src, port: c.srcPort, arrivalMs: c.tsMs }));
  const got = await viaIngest(datagrams, join(dir, `${name}.jsonl`));
  expect(got.lines).toEqual(want.map((r) => JSON.stringify(r)));
  // Options records are printed but are not flows: the batch and the exporter counters skip them.
  const flows = want.filter((r) => !r.options).length;
  expect({ batched: got.batched, flows: got.flows }).toEqual({ batched: flows, flows });
});

test("data held for its template is written and counted once, when the template arrives", async () => {
  // RFC 7011: a 16-byte message header, then sets. Data set 256 (one record: sourceIPv4Address
  // 192.0.2.1, octetDeltaCount 1000) before the template set that defines it.
  const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/ /g, ""), "hex"));
  const data = hex("000a 001c 5f5e1000 00000000 00000001  0100 000c c0000201 000003e8");
  const template = hex("000a 0020 5f5e1000 00000001 00000001  0002 0010 0100 0002 0008 0004 0001 0004");
  const got = await viaIngest([data, template].map((payload, k) => ({ payload, addr: "192.0.2.9", port: 4739, arrivalMs: 1000 * (k + 1) })), join(dir, "held.jsonl"));
  const lines = got.lines.map((l) => JSON.parse(l));
  expect(lines.map((r) => [r.exporter, r.template, r.sourceIPv4Address, r.octetDeltaCount])).toEqual([["192.0.2.9", 256, "192.0.2.1", 1000]]);
  expect({ batched: got.batched, flows: got.flows }).toEqual({ batched: 1, flows: 1 });
});
