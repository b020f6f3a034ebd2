// The short fuzz pass CI runs (fixed seeds, so a failure reproduces with run.ts), the mutator's
// own guarantees, and the replay of every regression fixture in test/fixtures/fuzz/.
import { describe, expect, test } from "bun:test";
import { FIXTURES, formatFixture, listFixtures, parseFixture } from "./fixture.ts";
import { type FuzzSummary, runFuzz } from "./harness.ts";
import { KINDS, mutate, mutateOnce } from "./mutate.ts";
import { createRng } from "./rng.ts";
import { allStreams } from "./seeds.ts";
import { layout } from "./structure.ts";
import { FUZZ_BOUNDS, createTarget } from "./target.ts";

const streams = allStreams();

/** Everything but the clock-dependent fields. */
function stable(s: FuzzSummary) {
  const { seconds: _s, maxMs: _m, maxMsAt: _a, maxMsRecords: _r, overBound: _o, overBoundAt: _b, memory: _mem, trend: _t, ...rest } = s;
  return rest;
}

describe("mutation engine", () => {
  test("the same seed gives the same datagrams; another seed other ones", () => {
    const seed = streams[0]!.datagrams[0]!;
    const run = (s: number) => {
      const rng = createRng(s);
      return Array.from({ length: 200 }, () => Buffer.from(mutate(rng, seed, seed).out).toString("hex")).join(",");
    };
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });

  test("layout finds the set, template and field positions of a v9 template datagram", () => {
    const v9 = streams.find((s) => s.name === "gen-v9-extras")!.datagrams[1]!; // options template, then a template flowset of two
    const l = layout(v9);
    expect(l).toEqual({
      version: 9, words: false, countAt: 2, setIds: [20, 44], setLens: [22, 46],
      templateIds: [24, 48, 68], fieldCounts: [26, 28, 50, 70],
      fieldLens: [32, 36, 40, 54, 58, 62, 66, 74, 78, 82, 86, 90], data: [],
    });
  });

  test("layout finds the sample, record and sampled-header positions of an sFlow datagram", () => {
    // The generator's (test/fuzz/seeds.ts): 6 flow samples of one 128-byte raw header each, then a counter sample of two records.
    const sflow = streams.find((s) => s.name === "gen-vsflow")!.datagrams[0]!;
    const l = layout(sflow);
    const flows = [0, 1, 2, 3, 4, 5].map((k) => 28 + 192 * k);
    expect(l).toEqual({
      version: 5, words: true, countAt: 24,
      setIds: [...flows, 1180], setLens: [...flows, 1180].map((o) => o + 4),
      templateIds: [...flows.map((o) => o + 40), 1200, 1296],
      fieldCounts: [...flows.map((o) => o + 36), 1196],
      fieldLens: [...flows.flatMap((o) => [o + 44, o + 60]), 1204, 1300],
      data: flows.flatMap((o) => [o + 64, o + 192]),
    });
  });

  test("aimed mutations of sFlow write 32-bit lengths past any datagram", () => {
    const sflow = streams.find((s) => s.name === "gen-vsflow")!.datagrams[0]!;
    const lens = layout(sflow).setLens;
    const seen = new Set<number>();
    const rng = createRng(4);
    for (let k = 0; k < 400; k++) {
      const out = mutateOnce(rng, "setLength", sflow.slice(), sflow);
      for (const at of lens) {
        const v = new DataView(out.buffer).getUint32(at);
        if (v !== new DataView(sflow.buffer, sflow.byteOffset).getUint32(at)) seen.add(v);
      }
    }
    for (const v of [0, 3, 65535, 0x7fffffff, 0xffffffff]) expect(seen.has(v)).toBe(true);
  });

  test("aimed mutations write their extremes into the fields they aim at", () => {
    const v9 = streams.find((s) => s.name === "gen-v9-extras")!.datagrams[1]!;
    const seen = new Set<number>();
    const rng = createRng(3);
    for (let k = 0; k < 200; k++) {
      const out = mutateOnce(rng, "setLength", v9.slice(), v9);
      for (const at of [22, 46]) {
        const v = (out[at]! << 8) | out[at + 1]!;
        if (v !== ((v9[at]! << 8) | v9[at + 1]!)) seen.add(v);
      }
    }
    for (const v of [0, 1, 3, 4, 65535]) expect(seen.has(v)).toBe(true);
  });
});

describe("fuzz pass (fixed seed)", () => {
  test("20 000 mutated datagrams through one decoder: nothing escapes, every fault kind reached, state bounded", () => {
    const s = runFuzz({ seed: 8, count: 20_000, pipeline: false, streams, fixtureDir: null, restartEvery: 7000, sampleEvery: 1e9 });
    expect(s.crashes).toEqual([]);
    expect(s.datagrams).toBe(20_000);
    expect(s.restarts).toBe(2);
    for (const k of KINDS) expect(s.mutations[k]).toBeGreaterThan(1000);
    // Data is always held (never refused) at these bounds, so unknownTemplate stays 0; sFlow's
    // agent and source tables (4096 agents, 1024 sources each) outgrow a 20 000-datagram pass
    // (test/decode/sflow.test.ts fills them); every other kind must be hit.
    const hit = Object.entries(s.faults).filter(([, n]) => n > 0).map(([k]) => k).sort();
    expect(hit).toEqual(Object.keys(s.faults).filter((k) => k !== "unknownTemplate" && k !== "sflowStateEvicted").sort());
    expect(s.maxTemplates).toBeLessThanOrEqual(FUZZ_BOUNDS.templatesTotal);
    expect(s.maxHeldBytes).toBeLessThanOrEqual(FUZZ_BOUNDS.pendingBytesPerExporter * (4 + s.spoofedExporters));
    expect(s.batched).toBeGreaterThan(50_000);
    expect(s.printed).toBeGreaterThan(s.batched); // options records are printed, never batched
  }, 60_000);

  test("the pipeline (bench.toml monitor) takes 20 000 mutated datagrams and closes windows", () => {
    const s = runFuzz({ seed: 9, count: 20_000, pipeline: true, streams, fixtureDir: null, sampleEvery: 1e9 });
    expect(s.crashes).toEqual([]);
    expect(s.windowRows).toBeGreaterThan(0);
  }, 60_000);

  test("a run is reproducible from its seed", () => {
    const a = runFuzz({ seed: 11, count: 3000, pipeline: false, streams, fixtureDir: null, restartEvery: 1000, sampleEvery: 1e9 });
    const b = runFuzz({ seed: 11, count: 3000, pipeline: false, streams, fixtureDir: null, restartEvery: 1000, sampleEvery: 1e9 });
    expect(stable(a)).toEqual(stable(b));
  }, 60_000);
});

describe("fixtures", () => {
  test("format and parse round-trip", () => {
    const lines = [{ addr: "2001:db8::1", arrivalMs: 5, payload: Uint8Array.of(0, 10, 0xff) }];
    expect(parseFixture(formatFixture(["c"], lines))).toEqual(lines);
  });

  const fixtures = listFixtures(FIXTURES);
  test("there are regression fixtures to replay, edge cases with their expected counters", () => {
    expect(fixtures.filter((f) => f.expect !== null).length).toBeGreaterThanOrEqual(8);
  });
  for (const f of fixtures) {
    for (const pipeline of [false, true]) {
      test(`${f.name}${pipeline ? " (pipeline)" : ""}: replays without an exception${f.expect && !pipeline ? ", to its expected counters" : ""}`, () => {
        const t = createTarget({ pipeline });
        const ids = new Map<string, number>();
        for (const l of f.lines) {
          let id = ids.get(l.addr);
          if (id === undefined) ids.set(l.addr, (id = ids.size));
          t.feed(l.payload, { addr: l.addr, id }, l.arrivalMs);
        }
        t.tick(Number.POSITIVE_INFINITY);
        expect(t.decoder.stats.datagrams).toBe(2 * f.lines.length); // decodeToBatch and decodeToRecords
        if (f.expect && !pipeline) {
          const faults = Object.fromEntries(Object.entries(t.decoder.faults).filter(([, n]) => n > 0));
          expect({ batched: t.out.batched, printed: t.out.printed, templates: t.decoder.stats.templates, faults }).toEqual(f.expect);
        }
      });
    }
  }
});
