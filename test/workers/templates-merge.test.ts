import { describe, expect, test } from "bun:test";
import type { ExporterStats } from "../../src/collector/ingest.ts";
import { mergeTemplateSnapshots } from "../../src/workers/templates-merge.ts";

const F = "xenoflow-templates/1";
const tpl = (domain: number, id: number, len: number) => [9, domain, id, 0, 0, [8, 0, len]];
const seen = (addr: string, lastSeenMs: number) => ({ addr, lastSeenMs }) as ExporterStats;

describe("template snapshot merge", () => {
  test("per template: what a worker learned beats what it restored; the file's rows stay for exporters nobody heard", () => {
    const base = { format: F, exporters: [{ addr: "192.0.2.1", templates: [tpl(1, 256, 4), tpl(2, 256, 4)], domains: [] }, { addr: "192.0.2.9", templates: [tpl(0, 300, 4)], domains: [] }] };
    // Worker 0 heard domain 1 change its template; worker 1 heard domain 2 change and a new domain 3.
    const w0 = { format: F, exporters: [{ addr: "192.0.2.1", templates: [tpl(1, 256, 16), tpl(2, 256, 4)], domains: [] }, base.exporters[1]] };
    const w1 = { format: F, exporters: [{ addr: "192.0.2.1", templates: [tpl(1, 256, 4), tpl(2, 256, 16), tpl(3, 256, 2)], domains: [[9, 3, 100, null, []]] }, base.exporters[1]] };
    expect(mergeTemplateSnapshots(base, [w0, w1], [[seen("192.0.2.1", 5)], [seen("192.0.2.1", 3)]])).toEqual({
      format: F,
      exporters: [
        { addr: "192.0.2.1", templates: [tpl(1, 256, 16), tpl(2, 256, 16), tpl(3, 256, 2)], domains: [[9, 3, 100, null, []]] },
        { addr: "192.0.2.9", templates: [tpl(0, 300, 4)], domains: [] },
      ],
    });
  });

  test("two workers that both learned a template: the one that heard the address last wins; nothing at all gives null", () => {
    const a = { format: F, exporters: [{ addr: "192.0.2.1", templates: [tpl(1, 256, 8)], domains: [] }] };
    const b = { format: F, exporters: [{ addr: "192.0.2.1", templates: [tpl(1, 256, 12)], domains: [] }] };
    const merged = (ta: number, tb: number) => mergeTemplateSnapshots(null, [a, b], [[seen("192.0.2.1", ta)], [seen("192.0.2.1", tb)]]);
    expect(merged(1, 2)).toEqual({ format: F, exporters: [{ addr: "192.0.2.1", templates: [tpl(1, 256, 12)], domains: [] }] });
    expect(merged(2, 1)).toEqual({ format: F, exporters: [{ addr: "192.0.2.1", templates: [tpl(1, 256, 8)], domains: [] }] });
    expect(mergeTemplateSnapshots(null, [null, null], [[], []])).toBeNull();
  });
});
