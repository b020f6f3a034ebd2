// Options spraying (issue 8 item 2): options templates count against the same bounds as
// templates; the options *data* (sampler ids) and the observation domains an exporter names are
// state too, and must be bounded per exporter like templates are.
import { describe, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { OPTIONS_TEMPLATE_SET, harness, ipfixMessage, optionsTemplateRecord, set } from "./wire.ts";

const SECS = 1_700_000_000;
const SAMPLER = "192.0.2.50";
type Snap = { exporters: { addr: string; templates: unknown[]; domains: [number, number, number, number | null, [number, number][]][] }[] };

// samplerId (48) as scope, samplingInterval (34): RFC 7011 section 3.4.2.2, IANA IE 48 / 34.
const OPT_ID = 260;
const optionsTemplate = ipfixMessage(0, SECS, [set(OPTIONS_TEMPLATE_SET, [optionsTemplateRecord(OPT_ID, 1, [[48, 4], [34, 4]])])]);
function samplerRecords(from: number, n: number): Uint8Array {
  const recs = Array.from({ length: n }, (_, k) => {
    const r = new Uint8Array(8);
    new DataView(r.buffer).setUint32(0, from + k);
    new DataView(r.buffer).setUint32(4, 100);
    return r;
  });
  return ipfixMessage(0, SECS, [set(OPT_ID, recs)]);
}

describe("options spraying", () => {
  test("65 535 options templates from one exporter: bounded by templatesPerExporter, evictions counted", () => {
    const h = harness();
    let sent = 0;
    for (let id = 256; id < 65536 && sent < 65535; ) {
      const recs = [];
      for (let k = 0; k < 100 && id < 65536; k++, id++, sent++) recs.push(optionsTemplateRecord(id, 1, [[48, 4], [34, 1 + (id % 4)]]));
      h.feed(SAMPLER, ipfixMessage(0, SECS, [set(OPTIONS_TEMPLATE_SET, recs)]), 0);
    }
    expect(h.decoder.stats.templates).toBe(1024);
    expect(h.decoder.faults.templateEvicted).toBe(sent - 1024);
  });

  test("sampling rates from options data apply to that exporter's flows only", () => {
    const h = harness();
    h.feed(SAMPLER, optionsTemplate, 0);
    h.feed(SAMPLER, samplerRecords(7, 1), 0);
    const snap = h.decoder.templates.snapshot() as Snap;
    expect(snap.exporters.find((e) => e.addr === SAMPLER)?.domains).toEqual([[10, 0, 0, null, [[7, 100]]]]);
  });

  // Regression (bug found by this suite, fixed in 214513d / efde2c7; see docs/RELIABILITY.md) — was: (src/decode/options.ts applyOptions: dom.samplers.set for every sampler id seen): one
  // exporter naming 100 000 sampler ids keeps 100 000 map entries, saved to disk every second by
  // the pipeline's persist timer. Expected: at most templatesPerExporter sampler ids per exporter.
  test("100 000 distinct sampler ids from one exporter stay bounded", () => {
    const h = harness();
    h.feed(SAMPLER, optionsTemplate, 0);
    for (let from = 0; from < 100_000; from += 150) h.feed(SAMPLER, samplerRecords(from, 150), 0);
    const snap = h.decoder.templates.snapshot() as Snap;
    const samplers = snap.exporters.find((e) => e.addr === SAMPLER)!.domains.reduce((n, d) => n + d[4].length, 0);
    expect(samplers).toBeLessThanOrEqual(1024);
  });

  // Regression (bug found by this suite, fixed in 214513d / efde2c7; see docs/RELIABILITY.md) — was: (src/decode/templates.ts domainState(): a DomainState per (version, domain) is created for
  // every message, even one with no sets, and never removed): one exporter cycling through
  // observation domain ids grows its domains map without bound.
  test("200 000 observation domain ids from one exporter do not grow memory", () => {
    const h = harness();
    const empty = (domain: number) => ipfixMessage(domain, SECS, []);
    for (let d = 0; d < 10_000; d++) h.feed(SAMPLER, empty(d), 0); // warm-up: tables, JIT
    // Live objects after a full collection: heap size in bytes is capacity, which earlier tests inflate.
    Bun.gc(true);
    const before = heapStats().objectCount;
    for (let d = 10_000; d < 210_000; d++) h.feed(SAMPLER, empty(d), 0);
    Bun.gc(true);
    const grown = heapStats().objectCount - before;
    expect(h.decoder.stats.datagrams).toBe(210_000); // keeps the decoder alive across the collection
    expect(grown).toBeLessThan(10_000); // today: about 2 objects (state + sampler map) per domain id
  });
});
