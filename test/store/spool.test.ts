import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XenoflowError } from "../../src/errors.ts";
import { type Row, type Sink, type WindowExport, rowsOf, slicesOf } from "../../src/store/sink.ts";
import { createSpooledSink } from "../../src/store/spool.ts";
import type { SpoolEventKind, SpooledSink } from "../../src/store/spool-types.ts";
import { StoreError } from "../../src/store/store-error.ts";
import { ROWS_PER_TURN } from "../../src/store/turn.ts";
import { sourced } from "./contract.ts";
import { turnsDuring } from "./turns.ts";

/** A database double with the same seq bookkeeping as the real sinks. */
function fakeDb() {
  const committed: { seq: number; table: string; time: number; rows: number; cells: unknown[] }[] = [];
  const seen = new Set<number>();
  const state = { failures: 0, down: false, commitThenLose: 0, refuseTable: "", refuseAll: "", refuseEmpty: "", attempts: 0 };
  const sink = (): Sink => ({
    kind: "postgres",
    writeNames: async () => {},
    writeAlert: async () => {},
    async write(exp, seq) {
      state.attempts++;
      if (state.down || state.failures > 0) {
        state.failures--;
        throw new StoreError("connect ECONNREFUSED 127.0.0.1:5432", true);
      }
      if (state.refuseAll) throw new StoreError(`refused: ${state.refuseAll}`, "refused", { reason: state.refuseAll });
      if (state.refuseEmpty && rowsOf(exp).count === 0) throw new StoreError(state.refuseEmpty, "refused");
      // A value the column cannot take: an empty write of the same table goes through.
      if (exp.table === state.refuseTable && rowsOf(exp).count > 0) throw new StoreError("invalid input syntax for type inet", "data");
      if (seq === undefined) {
        if (rowsOf(exp).count === 0) return; // the spool's probe of a table: nothing to record
        throw new Error("spool must pass a seq");
      }
      if (seen.has(seq)) return;
      seen.add(seq);
      const rows = rowsOf(exp);
      const cells: unknown[] = [];
      for await (const slice of slicesOf(rows, ROWS_PER_TURN, async () => {})) cells.push(...slice);
      committed.push({ seq, table: exp.table, time: exp.time, rows: rows.count, cells });
      if (state.commitThenLose > 0) {
        state.commitThenLose--;
        throw new StoreError("CONNECTION_CLOSED after COMMIT", true);
      }
    },
    async prune() {},
    async close() {},
  });
  return { committed, state, sink };
}

function exp(i: number, rows = 2, table = "all_proto"): WindowExport & { rows: readonly Row[] } {
  return {
    mo: "all",
    window: "proto",
    table,
    time: 1_700_000_000 + i * 30,
    keys: [{ name: "proto", type: "uint" }],
    values: ["octets"],
    rows: Array.from({ length: rows }, (_, r) => [r, i * 1000 + r]),
  };
}

let dir: string;
const open: SpooledSink[] = [];
let events: [SpoolEventKind, Record<string, string | number>][];

function spool(inner: Sink, maxBytes = 1 << 20): SpooledSink {
  const s = createSpooledSink(inner, dir, { maxBytes, minBackoffMs: 1, maxBackoffMs: 4, maxRefusedBackoffMs: 4, onEvent: (k, d) => events.push([k, d]) });
  open.push(s);
  return s;
}

beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), "xenoflow-spool-")), "spool");
  events = [];
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(join(dir, ".."), { recursive: true, force: true });
});

const times = (c: { time: number }[]) => c.map((x) => x.time);
const kinds = (k: SpoolEventKind) => events.filter(([kind]) => kind === k).length;

describe("spooled sink", () => {
  test("returns at once, retries while the store is down, then writes every export in order once", async () => {
    const db = fakeDb();
    db.state.failures = 5;
    const s = spool(db.sink());
    for (let i = 0; i < 4; i++) await s.write(exp(i));
    expect(db.committed).toEqual([]);
    expect(await s.drain(5000)).toBe(true);
    expect(times(db.committed)).toEqual([0, 1, 2, 3].map((i) => exp(i).time));
    const seqs = db.committed.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(4);
    expect(db.state.attempts).toBe(9);
    expect(s.stats()).toMatchObject({ bytes: 0, entries: 0, written: 4, writeErrors: 5, droppedExports: 0, deadLetterExports: 0 });
    expect(s.stats().lastError).toContain("ECONNREFUSED");
    expect([kinds("spooled"), kinds("write_error"), kinds("written")]).toEqual([4, 5, 4]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("writes to the database in a later event-loop turn than the append", async () => {
    const db = fakeDb();
    const s = spool(db.sink());
    await s.write(exp(0));
    // Microtasks only: a drainer that wrote in the append's own turn would have committed by now.
    for (let k = 0; k < 20; k++) await Promise.resolve();
    expect(db.committed).toEqual([]);
    expect(await s.drain(5000)).toBe(true);
    expect(times(db.committed)).toEqual([exp(0).time]);
  });

  test("spools a 12 000-row export over several turns; exports written meanwhile keep their order", async () => {
    const db = fakeDb();
    const s = spool(db.sink(), 64 << 20);
    const { turns } = await turnsDuring(() => Promise.all([s.write(exp(0, 12_000)), s.write(exp(1))]));
    expect(turns).toBeGreaterThan(1);
    expect(await s.drain(5000)).toBe(true);
    expect(db.committed.map((c) => [c.time, c.rows])).toEqual([
      [exp(0).time, 12_000],
      [exp(1).time, 2],
    ]);
    expect(db.committed[0]!.seq).toBeLessThan(db.committed[1]!.seq);
  });

  for (const cacheBytes of [16 << 20, 0]) {
    test(`an export whose rows come from a source reaches the database whole (${cacheBytes ? "from the memory cache" : "read back from disk"})`, async () => {
      const db = fakeDb();
      const s = createSpooledSink(db.sink(), dir, { maxBytes: 64 << 20, cacheBytes, minBackoffMs: 1, maxBackoffMs: 4 });
      open.push(s);
      const asked: [number, number][] = [];
      await s.write(sourced(exp(0, 12_000), asked));
      expect(await s.drain(5000)).toBe(true);
      expect(db.committed.map((c) => [c.time, c.rows])).toEqual([[exp(0).time, 12_000]]);
      expect(db.committed[0]!.cells).toEqual(rowsOf(exp(0, 12_000)).slice(0, 12_000));
      expect(Math.max(...asked.map(([a, b]) => b - a))).toBeLessThanOrEqual(ROWS_PER_TURN);
    });
  }

  test("drain waits for an export still being spooled", async () => {
    const db = fakeDb();
    const s = spool(db.sink(), 64 << 20);
    const writing = s.write(exp(0, 12_000));
    expect(await s.drain(5000)).toBe(true);
    expect(db.committed.map((c) => c.rows)).toEqual([12_000]);
    await writing;
  });

  test("drain reports false while the store stays down", async () => {
    const db = fakeDb();
    db.state.down = true;
    const s = spool(db.sink());
    await s.write(exp(0));
    expect(await s.drain(50)).toBe(false);
    expect(s.stats().entries).toBe(1);
    db.state.down = false;
    expect(await s.drain(5000)).toBe(true);
    expect(times(db.committed)).toEqual([exp(0).time]);
  });

  test("survives a restart: a new spool on the same directory replays in order, new seqs continue", async () => {
    const db = fakeDb();
    db.state.down = true;
    const a = spool(db.sink());
    for (let i = 0; i < 5; i++) await a.write(exp(i));
    await a.close();
    open.splice(0);
    expect(readdirSync(dir).length).toBe(1);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, readdirSync(dir)[0]!)).mode & 0o777).toBe(0o600);

    db.state.down = false;
    const b = spool(db.sink());
    expect(b.stats().entries).toBe(5);
    await b.write(exp(5));
    expect(await b.drain(5000)).toBe(true);
    expect(times(db.committed)).toEqual([0, 1, 2, 3, 4, 5].map((i) => exp(i).time));
    const seqs = db.committed.map((c) => c.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
  });

  test("exactly once across a crash between commit and spool removal, and a lost commit reply", async () => {
    const db = fakeDb();
    db.state.down = true;
    const a = spool(db.sink());
    for (let i = 0; i < 3; i++) await a.write(exp(i));
    await a.close();
    open.splice(0);
    // The directory as a crash right after the database committed would have left it.
    const snapshot = join(dir, "..", "snapshot");
    cpSync(dir, snapshot, { recursive: true });

    db.state.down = false;
    db.state.commitThenLose = 1;
    const b = spool(db.sink());
    expect(await b.drain(5000)).toBe(true);
    await b.close();
    open.splice(0);

    dir = snapshot;
    const c = spool(db.sink());
    expect(c.stats().entries).toBe(3);
    expect(await c.drain(5000)).toBe(true);
    dir = join(snapshot, "..", "spool");
    expect(times(db.committed)).toEqual([0, 1, 2].map((i) => exp(i).time));
    expect(c.stats().written).toBe(3); // replayed, and skipped by the bookkeeping
  });

  test("when full, drops the oldest unsent exports first and counts them", async () => {
    const db = fakeDb();
    db.state.down = true;
    const maxBytes = 200_000;
    const s = spool(db.sink(), maxBytes);
    let peak = 0;
    for (let i = 0; i < 60; i++) {
      await s.write(exp(i, 1000));
      peak = Math.max(peak, s.stats().bytes);
    }
    expect(peak).toBeLessThanOrEqual(maxBytes);
    const st = s.stats();
    expect(st.droppedExports).toBeGreaterThan(0);
    expect(st.droppedRows).toBe(st.droppedExports * 1000);
    expect(st.entries + st.droppedExports).toBe(60);
    db.state.down = false;
    expect(await s.drain(5000)).toBe(true);
    // What survives is the newest, contiguous, in order.
    expect(times(db.committed)).toEqual(Array.from({ length: st.entries }, (_, k) => exp(60 - st.entries + k).time));
    const dropped = events.filter(([k]) => k === "dropped").reduce((n, [, d]) => n + (d.exports as number), 0);
    expect(dropped).toBe(st.droppedExports);
  });

  test("moves an export whose values the database refuses to the dead-letter file, so later exports still flow", async () => {
    const db = fakeDb();
    db.state.refuseTable = "bad_rows";
    const s = spool(db.sink());
    await s.write(exp(0));
    await s.write(exp(1, 2, "bad_rows"));
    await s.write(exp(2));
    expect(await s.drain(5000)).toBe(true);
    expect(db.committed.map((c) => [c.table, c.time])).toEqual([
      ["all_proto", exp(0).time],
      ["all_proto", exp(2).time],
    ]);
    expect(s.stats()).toMatchObject({ deadLetterExports: 1, writeErrors: 3, written: 2, entries: 0, failing: null });
    expect(readdirSync(dir)).toEqual([]);
    const lines = readFileSync(join(dir, "..", "dead-letter.jsonl"), "utf8").trimEnd().split("\n");
    const { at, seq, ...rest } = JSON.parse(lines[0]!);
    const { mo, window, table, time, keys, values, rows } = exp(1, 2, "bad_rows");
    expect([lines.length, typeof at, seq, rest]).toEqual([
      1,
      "string",
      events.find(([k]) => k === "dead_letter")![1].seq,
      {
        reason: "the database refused this export's values 3 times while its table took other writes: invalid input syntax for type inet",
        export: { mo, window, table, time, keys, values, rows },
      },
    ]);
    expect(statSync(join(dir, "..", "dead-letter.jsonl")).mode & 0o777).toBe(0o600);
  });

  test("a refusal keeps every export, is reported once per cause, and clears at the first write", async () => {
    const db = fakeDb();
    db.state.refuseAll = 'database "xf_typo" does not exist: create it';
    const s = spool(db.sink());
    for (let i = 0; i < 3; i++) await s.write(exp(i));
    while (db.state.attempts < 12) await Bun.sleep(2);
    expect(s.stats()).toMatchObject({ entries: 3, deadLetterExports: 0, failing: { fault: "refused", reason: db.state.refuseAll } });
    db.state.refuseAll = "permission denied for schema public: GRANT USAGE, CREATE ON SCHEMA public TO xf";
    while (db.state.attempts < 20) await Bun.sleep(2);
    db.state.refuseAll = "";
    expect(await s.drain(5000)).toBe(true);
    expect(times(db.committed)).toEqual([0, 1, 2].map((i) => exp(i).time));
    expect(events.filter(([k]) => k === "refused" || k === "recovered").map(([k, d]) => [k, d.reason])).toEqual([
      ["refused", 'database "xf_typo" does not exist: create it'],
      ["refused", "permission denied for schema public: GRANT USAGE, CREATE ON SCHEMA public TO xf"],
      ["recovered", "permission denied for schema public: GRANT USAGE, CREATE ON SCHEMA public TO xf"],
    ]);
    expect(s.stats()).toMatchObject({ failing: null, deadLetterExports: 0, droppedExports: 0 });
  });

  test("a data error while the table itself refuses writes is no poison: the export waits", async () => {
    const db = fakeDb();
    db.state.refuseTable = "all_proto";
    const s = spool(db.sink());
    // Each probe after the third data error in a row meets a table that refuses even an empty write.
    db.state.refuseEmpty = "table all_proto: column proto is inet in the database but the config needs bigint";
    await s.write(exp(0));
    while (db.state.attempts < 12) await Bun.sleep(2);
    db.state.refuseEmpty = "";
    db.state.refuseTable = "";
    expect(await s.drain(5000)).toBe(true);
    expect([times(db.committed), s.stats().deadLetterExports]).toEqual([[exp(0).time], 0]);
  });

  test("truncates a torn record at the end of a segment and keeps the intact ones", async () => {
    const db = fakeDb();
    db.state.down = true;
    const a = spool(db.sink());
    for (let i = 0; i < 3; i++) await a.write(exp(i));
    await a.close();
    open.splice(0);
    const seg = join(dir, readdirSync(dir)[0]!);
    const intact = statSync(seg).size;
    appendFileSync(seg, new Uint8Array([40, 0, 0, 0, 1, 2, 3]));

    db.state.down = false;
    const b = spool(db.sink());
    expect(events.filter(([k]) => k === "corrupt")).toEqual([["corrupt", { file: readdirSync(dir)[0]!, offset: intact, bytes: 7 }]]);
    expect(await b.drain(5000)).toBe(true);
    expect(times(db.committed)).toEqual([0, 1, 2].map((i) => exp(i).time));
  });

  test("refuses a malformed export at write time without spooling it", async () => {
    const db = fakeDb();
    const s = spool(db.sink());
    const err = await s.write(exp(0, 2, "All-Proto")).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(XenoflowError);
    expect(s.stats().entries).toBe(0);
    expect(kinds("spooled")).toBe(0);
  });

  test("reads exports back from disk when they exceed the memory cache", async () => {
    const db = fakeDb();
    db.state.down = true;
    const s = createSpooledSink(db.sink(), dir, { maxBytes: 1 << 20, cacheBytes: 0, minBackoffMs: 1, maxBackoffMs: 4 });
    open.push(s);
    for (let i = 0; i < 3; i++) await s.write(exp(i, 50));
    db.state.down = false;
    expect(await s.drain(5000)).toBe(true);
    expect(db.committed.map((c) => [c.time, c.rows])).toEqual([0, 1, 2].map((i) => [exp(i).time, 50]));
  });
});

describe("spooled sink backoff", () => {
  test("new exports do not cut a backoff short; close does", async () => {
    const db = fakeDb();
    db.state.down = true;
    const s = createSpooledSink(db.sink(), dir, { maxBytes: 1 << 20, minBackoffMs: 600_000, maxBackoffMs: 600_000 });
    await s.write(exp(0));
    await Bun.sleep(20);
    for (let i = 1; i < 5; i++) await s.write(exp(i));
    await Bun.sleep(20);
    expect([db.state.attempts, s.stats().entries]).toEqual([1, 5]);
    await s.close();
    expect(db.state.attempts).toBe(1);
  });
});
