// The Sink contract (DESIGN.md section 5), run against every store: sqlite.test.ts and
// postgres.test.ts pass a factory that opens a fresh, empty database and the catalog queries to
// look inside it.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { XenoflowError } from "../../src/errors.ts";
import type { AlertRow } from "../../src/store/alerts.ts";
import { interfacesExport } from "../../src/store/interfaces.ts";
import { type RowSource, type Sink, type WindowExport, isRemainder, rowCount, rowsOf } from "../../src/store/sink.ts";
import { ROWS_PER_TURN } from "../../src/store/turn.ts";
import { turnsDuring } from "./turns.ts";

export type Cell = string | number | null;

export interface Harness {
  /** Writes as collector COLLECTOR. */
  sink: Sink;
  /** Another sink on the same database, writing as `collector`; closed by close(). */
  peer(collector: string): Sink;
  /** Runs statements on the database directly (a layout from an older version). */
  exec(statements: string[]): Promise<void>;
  /** Column name -> type as the catalog spells it, lower case, in table order; {} when absent. */
  columns(table: string): Promise<Record<string, string>>;
  /** Names of the table's indexes that cover only "time". */
  timeIndexes(table: string): Promise<string[]>;
  /** Every row in table order of columns; time as epoch seconds, integers as numbers. */
  rows(table: string): Promise<Cell[][]>;
  /** This collector's bookkeeping. */
  seqs(collector?: string): Promise<number[]>;
  close(): Promise<void>;
}

export interface DialectTypes {
  time: string;
  address: string;
  uint: string;
  string: string;
  mac: string;
  value: string;
  rate: string;
  /** Statements creating web_talkers holding seq 5's row at T0, and the seq-only bookkeeping, as before fleets. */
  legacy: string[];
}

const T0 = 1_700_000_040;
/** The collector name the harness's sink writes as. */
export const COLLECTOR = "pop1";
const C = COLLECTOR;

export function talkers(time: number, rows: Cell[][], table = "web_talkers"): WindowExport {
  const [mo, window] = table.split(/_(.*)/s) as [string, string];
  return {
    mo,
    window,
    table,
    time,
    keys: [
      { name: "src_host", type: "address" },
      { name: "dst_port", type: "uint" },
    ],
    values: ["octets", "packets"],
    rows,
  };
}

/** An export whose rows come from a source over `rows` (rows rendered anew per slice, as from a raw table); `asked` records every slice. */
export function sourced(exp: WindowExport, asked: [number, number][] = []): WindowExport {
  const rows = rowsOf(exp).slice(0, rowCount(exp));
  const nk = exp.keys.length;
  const source: RowSource = {
    count: rows.length,
    remainder: rows.findIndex((r) => isRemainder(r, nk)),
    first: (i) => Number(rows[i]?.[nk] ?? 0),
    slice(from, to) {
      asked.push([from, to]);
      return rows.slice(from, to).map((r) => [...r]);
    },
  };
  return { ...exp, rows: [], source };
}

/** Rows sorted the way a person reads them, so results compare independently of insertion order. */
function sorted(rows: Cell[][]): Cell[][] {
  return [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

export function sinkContract(name: string, open: () => Promise<Harness>, types: DialectTypes): void {
  describe(`${name} sink contract`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.close();
    });

    test("xenoflow_names: created on first use, replaced whole on every write", async () => {
      const net = { kind: "network" as const, exporter: "", id: 1, name: "customer_a", description: "", role: "customer" };
      const ifs = Array.from({ length: 1200 }, (_, k) => ({ kind: "if" as const, exporter: "192.0.2.1", id: k + 1, name: `xe-0/0/${k}`, description: k === 0 ? "transit A" : "", role: k === 0 ? "external" : "" }));
      await h.sink.writeNames([net, ...ifs]);
      const rows = await h.rows("xenoflow_names");
      expect(rows.length).toBe(1201);
      expect(rows.slice(0, 2)).toEqual([
        ["network", "", 1, "customer_a", "", "customer"],
        ["if", "192.0.2.1", 1, "xe-0/0/0", "transit A", "external"],
      ]);
      await h.sink.writeNames([{ kind: "as", exporter: "", id: 4200000000, name: "Private AS", description: "", role: "" }]);
      expect(await h.rows("xenoflow_names")).toEqual([["as", "", 4200000000, "Private AS", "", ""]]);
    });

    test("xenoflow_alerts: one row per ended alert; retention prunes this collector's by their end", async () => {
      // In column order, so a row reads back as Object.values of what was written.
      const first: AlertRow = { started: T0 + 0.25, ended: T0 + 30, collector: C, mo: "web", mavg: "dst", limit: "flood", direction: "exceed", key: '{"dst_host":"10.0.0.1"}', metric: "bits", peak: 25_000_000, threshold: 8_000_000 };
      const second: AlertRow = { ...first, started: T0 + 100, ended: T0 + 200, direction: "below", peak: 0 };
      const others: AlertRow = { ...first, collector: "pop2" };
      for (const a of [first, second, others]) await h.sink.writeAlert(a);
      expect(await h.rows("xenoflow_alerts")).toEqual([first, second, others].map((a) => Object.values(a)));
      await h.sink.prune([], T0 + 60);
      expect(await h.rows("xenoflow_alerts")).toEqual([second, others].map((a) => Object.values(a)));
    });

    test("xenoflow_interfaces: counter rates stored fractional, written once per seq, pruned like windows", async () => {
      const rate = { speed: 1e10, inOctets: 1234.5, outOctets: 2e9 / 3, inPackets: 10.25, outPackets: 0, inErrors: 0.05, outErrors: 0, inDiscards: 1 / 60, outDiscards: NaN };
      const exp = interfacesExport(T0, [{ exporter: "192.0.2.1", ifIndex: 3, ...rate }, { exporter: "2001:db8::1", ifIndex: 70000, ...rate, speed: 0 }],
        (e, i) => (e === "192.0.2.1" && i === 3 ? "xe-0/0/3" : ""));
      await h.sink.write(exp, 7);
      await h.sink.write(exp, 7); // a spool replay
      expect(await h.columns("xenoflow_interfaces")).toEqual({
        time: types.time, collector: types.string, exporter: types.address, if_index: types.uint, if_name: types.string,
        ...Object.fromEntries(["if_speed", "in_octets", "out_octets", "in_packets", "out_packets", "in_errors", "out_errors", "in_discards", "out_discards"].map((c) => [c, types.rate])),
      });
      const values = [1234.5, 2e9 / 3, 10.25, 0, 0.05, 0, 1 / 60, null];
      expect(await h.rows("xenoflow_interfaces")).toEqual([
        [T0, COLLECTOR, "192.0.2.1", 3, "xe-0/0/3", 1e10, ...values],
        [T0, COLLECTOR, "2001:db8::1", 70000, "", 0, ...values],
      ]);
      await h.sink.prune(["xenoflow_interfaces"], T0 + 1);
      expect(await h.rows("xenoflow_interfaces")).toEqual([]);
    });

    test("creates the table with typed columns and a time index on first use", async () => {
      expect(await h.columns("web_talkers")).toEqual({});
      await h.sink.write(talkers(T0, [["10.0.0.1", 443, 1500, 2]]));
      expect(await h.columns("web_talkers")).toEqual({
        time: types.time,
        collector: types.string,
        src_host: types.address,
        dst_port: types.uint,
        octets: types.value,
        packets: types.value,
      });
      expect(await h.timeIndexes("web_talkers")).toEqual(["web_talkers_time_idx"]);
      expect(await h.rows("web_talkers")).toEqual([[T0, C, "10.0.0.1", 443, 1500, 2]]);
    });

    test("stores IPv4 and IPv6 addresses, the NULL-key remainder row and values above 2^32", async () => {
      const big = 2 ** 40 + 12345;
      await h.sink.write(
        talkers(T0, [
          ["192.0.2.1", 80, big, 5_000_000_000],
          ["2001:db8::1", 53, 300, 1],
          [null, null, 77, 7],
        ]),
      );
      expect(sorted(await h.rows("web_talkers"))).toEqual(
        sorted([
          [T0, C, "192.0.2.1", 80, big, 5_000_000_000],
          [T0, C, "2001:db8::1", 53, 300, 1],
          [T0, C, null, null, 77, 7],
        ]),
      );
    });

    test("stores mac and string keys and rounds fractional sums", async () => {
      const exp: WindowExport = {
        mo: "lan",
        window: "macs",
        table: "lan_macs",
        time: T0,
        keys: [
          { name: "src_mac", type: "mac" },
          { name: "if_name", type: "string" },
        ],
        values: ["bits", "flows"],
        rows: [["00:11:22:aa:bb:cc", "ge-0/0/1\ttab\\back\nline", 8000.4, 3]],
      };
      await h.sink.write(exp);
      expect(await h.columns("lan_macs")).toEqual({ time: types.time, collector: types.string, src_mac: types.mac, if_name: types.string, bits: types.value, flows: types.value });
      expect(await h.rows("lan_macs")).toEqual([[T0, C, "00:11:22:aa:bb:cc", "ge-0/0/1\ttab\\back\nline", 8000, 3]]);
    });

    test("writes several windows and several exports of one window", async () => {
      await h.sink.write(talkers(T0, [["10.0.0.1", 443, 100, 1]]));
      await h.sink.write(talkers(T0 + 60, [["10.0.0.2", 22, 200, 2]]));
      const proto: WindowExport = { mo: "all", window: "proto", table: "all_proto", time: T0, keys: [{ name: "proto", type: "uint" }], values: ["flows"], rows: [[6, 10], [17, 4]] };
      await h.sink.write(proto);
      await h.sink.write({ ...proto, rows: [] });
      expect(sorted(await h.rows("web_talkers"))).toEqual([
        [T0, C, "10.0.0.1", 443, 100, 1],
        [T0 + 60, C, "10.0.0.2", 22, 200, 2],
      ]);
      expect(sorted(await h.rows("all_proto"))).toEqual([
        [T0, C, 17, 4],
        [T0, C, 6, 10],
      ]);
    });

    test("writes a 20 000-row export whole, letting the event loop turn meanwhile", async () => {
      const rows: Cell[][] = [];
      for (let i = 0; i < 20_000; i++) rows.push([`10.0.${i >> 8}.${i & 255}`, 443, 1500 + i, 1 + (i % 7)]);
      const { turns } = await turnsDuring(() => h.sink.write(talkers(T0, rows), 7));
      // The single-thread collector receives on this loop: a write must not hold it throughout.
      expect(turns).toBeGreaterThan(1);
      const got = await h.rows("web_talkers");
      expect(got.length).toBe(20_000);
      expect(sorted(got)).toEqual(sorted(rows.map((r) => [T0, C, ...r])));
      expect(await h.seqs()).toEqual([7]);
    });

    test("writes an export whose rows come from a row source, asking for a slice at a time", async () => {
      const rows: Cell[][] = [];
      for (let i = 0; i < 12_000; i++) rows.push([`10.1.${i >> 8}.${i & 255}`, 80, 100 + i, 1]);
      rows.push([null, null, 5, 5]);
      const asked: [number, number][] = [];
      await h.sink.write(sourced(talkers(T0, rows), asked), 8);
      expect(sorted(await h.rows("web_talkers"))).toEqual(sorted(rows.map((r) => [T0, C, ...r])));
      expect(await h.seqs()).toEqual([8]);
      // Every row asked for once, never more than a turn's worth at a time.
      expect(asked.reduce((n, [a, b]) => n + b - a, 0)).toBe(12_001);
      expect(Math.max(...asked.map(([a, b]) => b - a))).toBeLessThanOrEqual(ROWS_PER_TURN);
    });

    test("adds a column a window gained to the existing table", async () => {
      await h.sink.write(talkers(T0, [["10.0.0.1", 443, 100, 1]]));
      await h.sink.write({ ...talkers(T0 + 30, [["10.0.0.1", 443, 100, 1, 9]]), values: ["octets", "packets", "flows"] });
      expect(Object.keys(await h.columns("web_talkers"))).toEqual(["time", "collector", "src_host", "dst_port", "octets", "packets", "flows"]);
      expect(sorted(await h.rows("web_talkers"))).toEqual([
        [T0, C, "10.0.0.1", 443, 100, 1, null],
        [T0 + 30, C, "10.0.0.1", 443, 100, 1, 9],
      ]);
    });

    test("refuses a column whose type changed, with E_STORE", async () => {
      await h.sink.write(talkers(T0, [["10.0.0.1", 443, 100, 1]]));
      const changed: WindowExport = { ...talkers(T0 + 30, [["10.0.0.1", "https", 1, 1]]), keys: [{ name: "src_host", type: "address" }, { name: "dst_port", type: "string" }] };
      const err = await h.sink.write(changed).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(XenoflowError);
      expect((err as XenoflowError).code).toBe("E_STORE");
      expect((err as Error).message).toContain("column dst_port is");
      expect(await h.rows("web_talkers")).toEqual([[T0, C, "10.0.0.1", 443, 100, 1]]);
    });

    test("prune deletes rows and bookkeeping older than the cutoff, and ignores absent tables", async () => {
      await h.sink.write(talkers(T0, [["10.0.0.1", 443, 100, 1]]), 1);
      await h.sink.write(talkers(T0 + 60, [["10.0.0.2", 443, 200, 2]]), 2);
      await h.sink.write(talkers(T0 + 120, [["10.0.0.3", 443, 300, 3]]), 3);
      await h.sink.prune(["web_talkers", "never_written"], T0 + 60);
      expect(sorted(await h.rows("web_talkers"))).toEqual([
        [T0 + 60, C, "10.0.0.2", 443, 200, 2],
        [T0 + 120, C, "10.0.0.3", 443, 300, 3],
      ]);
      expect(await h.seqs()).toEqual([2, 3]);
    });

    test("writes an export with a seq once, however often it is replayed", async () => {
      const exp = talkers(T0, [["10.0.0.1", 443, 100, 1], [null, null, 5, 5]]);
      const seq = 1_700_000_040_000_001;
      await h.sink.write(exp, seq);
      await h.sink.write(exp, seq);
      await h.sink.write(talkers(T0 + 30, [["10.0.0.9", 80, 1, 1]]), seq + 1);
      await h.sink.write(exp, seq);
      expect(sorted(await h.rows("web_talkers"))).toEqual(
        sorted([
          [T0, C, "10.0.0.1", 443, 100, 1],
          [T0, C, null, null, 5, 5],
          [T0 + 30, C, "10.0.0.9", 80, 1, 1],
        ]),
      );
      expect(await h.seqs()).toEqual([seq, seq + 1]);
    });

    test("fleet: two collectors forced onto the same seqs both write every export", async () => {
      const other = h.peer("pop2");
      const seq = 1_700_000_040_000_001;
      for (const [i, sink] of [h.sink, other, h.sink, other].entries()) {
        await sink.write(talkers(T0 + 60 * (i >> 1), [[`10.0.0.${i}`, 443, 100 + i, 1]]), seq + (i >> 1));
      }
      await other.write(talkers(T0, [["10.0.0.1", 443, 101, 1]]), seq); // a replay: skipped
      expect(sorted(await h.rows("web_talkers"))).toEqual(
        sorted([
          [T0, C, "10.0.0.0", 443, 100, 1],
          [T0, "pop2", "10.0.0.1", 443, 101, 1],
          [T0 + 60, C, "10.0.0.2", 443, 102, 1],
          [T0 + 60, "pop2", "10.0.0.3", 443, 103, 1],
        ]),
      );
      expect([await h.seqs(), await h.seqs("pop2")]).toEqual([
        [seq, seq + 1],
        [seq, seq + 1],
      ]);
    });

    test("fleet: a table and bookkeeping from before fleets are upgraded on first use", async () => {
      await h.exec(types.legacy);
      // seq 5 was written before the upgrade (its row is there): a replay of it stays skipped.
      await h.sink.write(talkers(T0, [["10.0.0.1", 443, 100, 1]]), 5);
      await h.sink.write(talkers(T0 + 60, [["10.0.0.2", 443, 200, 2]]), 6);
      expect(Object.keys(await h.columns("web_talkers"))).toEqual(["time", "src_host", "dst_port", "octets", "packets", "collector"]);
      expect(await h.rows("web_talkers")).toEqual([
        [T0, "10.0.0.1", 443, 100, 1, null],
        [T0 + 60, "10.0.0.2", 443, 200, 2, C],
      ]);
      expect(await h.seqs()).toEqual([5, 6]);
    });

    test("rejects identifiers that are not validated names, before touching the database", async () => {
      const bad: WindowExport[] = [
        talkers(T0, [], "Web_talkers"),
        talkers(T0, [], 'web_talkers"; drop table x; --'),
        { ...talkers(T0, []), keys: [{ name: "src host", type: "address" }] },
        { ...talkers(T0, []), values: ["octets", "packets)"] },
        { ...talkers(T0, []), keys: [{ name: "time", type: "uint" }] },
        talkers(T0, [["10.0.0.1", 443, 100]]),
      ];
      for (const exp of bad) {
        const err = await h.sink.write(exp).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(XenoflowError);
        expect((err as XenoflowError).code).toBe("E_INTERNAL");
      }
      expect(await h.columns("web_talkers")).toEqual({});
      await expect(h.sink.prune(["bad-name"], T0)).rejects.toThrow("invalid SQL identifier");
    });
  });
}
