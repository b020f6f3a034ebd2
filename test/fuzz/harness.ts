// The fuzz loop: mutated seed datagrams through one long-lived decoder (templates persist between
// datagrams, as in a collector), restarted every `restartEvery` datagrams (half the time from its
// saved templates). Exceptions are caught, counted and written as fixtures; every datagram is
// timed; memory is sampled after a full GC every `sampleEvery` datagrams.
import type { Faults } from "../../src/decode/index.ts";
import { createFaults } from "../../src/decode/faults.ts";
import type { FixtureLine } from "./fixture.ts";
import { writeFixture } from "./fixture.ts";
import { type MemorySample, type MemoryTrend, sampleMemory, trend } from "./memory.ts";
import { KINDS, type MutationKind, mutate } from "./mutate.ts";
import { createRng } from "./rng.ts";
import type { Stream } from "./seeds.ts";
import { hasTemplates, layout } from "./structure.ts";
import { createTarget } from "./target.ts";

export interface FuzzOptions {
  seed: number;
  count: number;
  pipeline: boolean;
  streams: readonly Stream[];
  /** Per-datagram time bound: maxMs, plus perRecordMs for every record the datagram yields. */
  maxMs?: number;
  perRecordMs?: number;
  restartEvery?: number;
  sampleEvery?: number;
  /** Where crash fixtures go; null: nowhere. */
  fixtureDir?: string | null;
  progress?: (done: number) => void;
}

export interface Crash {
  at: number;
  error: string;
  mutations: MutationKind[];
  fixture: string | null;
}

export interface FuzzSummary {
  seed: number;
  datagrams: number;
  pipeline: boolean;
  seconds: number;
  clean: number;
  mutations: Record<MutationKind, number>;
  batched: number;
  printed: number;
  windowRows: number;
  spoofedExporters: number;
  restarts: number;
  maxTemplates: number;
  maxHeldBytes: number;
  maxMs: number;
  maxMsAt: number;
  /** Records the slowest datagram yielded (its own and held data its templates released). */
  maxMsRecords: number;
  overBound: number;
  /** The first datagrams over the bound: index, milliseconds, records yielded. */
  overBoundAt: { at: number; ms: number; records: number }[];
  faults: Faults;
  crashes: Crash[];
  memory: MemorySample[];
  trend: MemoryTrend;
}

const EXPORTERS = ["192.0.2.1", "192.0.2.2", "2001:db8::1", "198.51.100.7"];
const SLOTS = 4; // streams interleaved at once, like several exporters sending to one collector
const HISTORY = 512; // template-bearing datagrams kept for a crash fixture
const RECENT = 32; // and the latest datagrams of any kind (held data waiting for a template)

export function runFuzz(o: FuzzOptions): FuzzSummary {
  const rng = createRng(o.seed);
  const maxMs = o.maxMs ?? 50;
  // A datagram that brings a template releases the data held for it (up to pending_bytes per
  // exporter: thousands of records, decoded by a decoder the JIT has not seen yet), so "no hang"
  // is a bound on time per unit of work, not a flat one.
  const perRecordMs = o.perRecordMs ?? 0.05;
  const restartEvery = o.restartEvery ?? 100_000;
  const sampleEvery = o.sampleEvery ?? 100_000;
  const target = createTarget({ pipeline: o.pipeline });
  const faults = createFaults();
  const addFaults = () => {
    for (const k of Object.keys(faults) as (keyof Faults)[]) faults[k] += target.decoder.faults[k];
  };
  const mutations = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<MutationKind, number>;
  const slots = Array.from({ length: SLOTS }, (_, k) => ({ stream: rng.pick(o.streams), pos: 0, addr: EXPORTERS[k]! }));
  const ids = new Map<string, number>();
  const history: (FixtureLine & { i: number })[] = [];
  const recent: (FixtureLine & { i: number })[] = [];
  const s: FuzzSummary = {
    seed: o.seed, datagrams: 0, pipeline: o.pipeline, seconds: 0, clean: 0, mutations, batched: 0, printed: 0, windowRows: 0,
    spoofedExporters: 0, restarts: 0, maxTemplates: 0, maxHeldBytes: 0, maxMs: 0, maxMsAt: -1, maxMsRecords: 0, overBound: 0, overBoundAt: [],
    faults, crashes: [], memory: [], trend: trend([]),
  };
  const started = performance.now();
  let now = 1_700_000_000_000;

  for (let i = 0; i < o.count; i++) {
    const slot = rng.pick(slots);
    if (rng.chance(0.002)) {
      slot.stream = rng.pick(o.streams);
      slot.pos = 0;
    }
    const seed = slot.stream.datagrams[slot.pos++ % slot.stream.datagrams.length]!;
    let payload = seed;
    let kinds: MutationKind[] = [];
    if (rng.chance(0.25)) s.clean++;
    else {
      const other = rng.pick(rng.pick(o.streams).datagrams);
      ({ out: payload, kinds } = mutate(rng, seed, other));
      for (const k of kinds) mutations[k]++;
    }
    let addr = slot.addr;
    if (rng.chance(0.001)) {
      // A spoofed source: new exporter state for every one.
      addr = rng.chance(0.8) ? `10.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}` : `2001:db8:${rng.int(65536).toString(16)}::${rng.int(65536).toString(16)}`;
      s.spoofedExporters++;
    }
    let id = ids.get(addr);
    if (id === undefined) ids.set(addr, (id = ids.size));
    now += 1 + rng.int(3);
    if (rng.chance(0.00005)) now += rng.int(120_000);

    const line = { addr, arrivalMs: now, payload, i };
    const records0 = target.out.printed;
    const t0 = performance.now();
    try {
      target.feed(payload, { addr, id }, now);
    } catch (e) {
      const err = e instanceof Error ? `${e.name}: ${e.message} @ ${e.stack?.split("\n")[1]?.trim() ?? "?"}` : String(e);
      s.crashes.push({ at: i, error: err, mutations: kinds, fixture: saveCrash(o, s.crashes.length, err, i, replayLines(history, recent, line)) });
      addFaults();
      target.restart(false);
      history.length = 0;
      recent.length = 0;
    }
    const dt = performance.now() - t0;
    const records = target.out.printed - records0;
    if (dt > s.maxMs) { s.maxMs = dt; s.maxMsAt = i; s.maxMsRecords = records; }
    if (dt > maxMs + records * perRecordMs && s.overBound++ < 20) s.overBoundAt.push({ at: i, ms: Math.round(dt * 1000) / 1000, records });
    if (hasTemplates(layout(payload), payload)) {
      history.push(line);
      if (history.length > HISTORY) history.shift();
    }
    recent.push(line);
    if (recent.length > RECENT) recent.shift();
    s.datagrams++;

    if ((i + 1) % 1000 === 0) {
      target.tick(now);
      const st = target.decoder.stats;
      s.maxTemplates = Math.max(s.maxTemplates, st.templates);
      s.maxHeldBytes = Math.max(s.maxHeldBytes, st.heldBytes);
    }
    if ((i + 1) % restartEvery === 0) {
      addFaults();
      target.restart(rng.chance(0.5));
      history.length = 0;
      recent.length = 0;
      s.restarts++;
    }
    if ((i + 1) % sampleEvery === 0) {
      s.memory.push(sampleMemory(i + 1));
      o.progress?.(i + 1);
    }
  }
  addFaults();
  s.seconds = Math.round(performance.now() - started) / 1000;
  s.maxMs = Math.round(s.maxMs * 1000) / 1000;
  s.batched = target.out.batched;
  s.printed = target.out.printed;
  s.windowRows = target.out.windowRows;
  s.trend = trend(s.memory);
  return s;
}

/** The datagrams that built the state, in feeding order, each once, the failing one last. */
function replayLines(history: readonly (FixtureLine & { i: number })[], recent: readonly (FixtureLine & { i: number })[], last: FixtureLine & { i: number }): FixtureLine[] {
  const byIndex = new Map<number, FixtureLine>();
  for (const l of [...history, ...recent]) byIndex.set(l.i, l);
  const lines = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l);
  return [...lines, last];
}

function saveCrash(o: FuzzOptions, n: number, err: string, at: number, lines: FixtureLine[]): string | null {
  if (!o.fixtureDir || n >= 20) return null;
  const comment = [`fuzz crash: seed ${o.seed}, datagram ${at}${o.pipeline ? ", --pipeline" : ""}`, err, "the last line is the datagram that threw; the others built the decoder's templates"];
  return writeFixture(o.fixtureDir, `crash-${o.seed}-${at}`, comment, lines);
}
