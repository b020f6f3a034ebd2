// PostgreSQL window tables partitioned by time (DESIGN.md section 5, `[storage] partition`):
// declarative RANGE partitions on "time", named `<table>_YYYYMMDD` after their first day, created
// ahead of need (the window's partition and the next one) and dropped whole by retention. Bounds
// are read back from the catalog, so a partition length changed in the config fills the gaps
// between existing partitions instead of failing on an overlap.
import { ident, tableIdent } from "./ddl.ts";

export interface Bounds {
  name: string;
  /** Epoch seconds; -Infinity for MINVALUE. */
  from: number;
  /** Epoch seconds; Infinity for MAXVALUE. */
  to: number;
}

function day(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10).replace(/-/g, "");
}

/** `<table>_YYYYMMDD`: at most 54 + 9 characters, within PostgreSQL's 63. */
export function partitionName(table: string, from: number): string {
  return `${table}_${day(from)}`;
}

const iso = (t: number) => `'${new Date(t * 1000).toISOString()}'`;

export function createPartitionSql(table: string, from: number, to: number): string {
  return `CREATE TABLE IF NOT EXISTS ${ident(partitionName(table, from))} PARTITION OF ${tableIdent(table)} FOR VALUES FROM (${iso(from)}) TO (${iso(to)})`;
}

/** Lists a partitioned table's partitions with their bounds: parameter $1 the quoted table name. */
export const LIST_PARTITIONS = `SELECT c.relname AS name,
  extract(epoch FROM (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz)::float8 AS lo,
  extract(epoch FROM (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz)::float8 AS hi,
  pg_get_expr(c.relpartbound, c.oid) AS bound
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`;

/** A LIST_PARTITIONS row as bounds; null for the DEFAULT partition, which holds no range. */
export function boundsOf(r: { name: string; lo: number | null; hi: number | null; bound: string }): Bounds | null {
  if (r.bound === "DEFAULT") return null;
  return { name: r.name, from: r.lo ?? Number.NEGATIVE_INFINITY, to: r.hi ?? Number.POSITIVE_INFINITY };
}

/**
 * The range to create so that time `t` has a partition: [floor(t / length) * length, + length)
 * shrunk to the gap between the existing partitions around it; null when one already holds `t`.
 */
export function rangeFor(t: number, length: number, existing: readonly Bounds[]): { from: number; to: number } | null {
  let from = Math.floor(t / length) * length;
  let to = from + length;
  for (const b of existing) {
    if (b.from <= t && t < b.to) return null;
    if (b.to <= t) from = Math.max(from, b.to);
    else if (b.from > t) to = Math.min(to, b.from);
  }
  return { from, to };
}

/** Partitions whose every row is older than `before` (epoch seconds). */
export function expired(existing: readonly Bounds[], before: number): Bounds[] {
  return existing.filter((b) => b.to <= before);
}

/** Runs one statement in the caller's transaction. */
export type Run = <T extends object>(text: string, params?: (string | number)[]) => Promise<T[]>;

async function list(run: Run, table: string): Promise<Bounds[]> {
  const rows = await run<{ name: string; lo: number | null; hi: number | null; bound: string }>(LIST_PARTITIONS, [tableIdent(table)]);
  return rows.map(boundsOf).filter((b): b is Bounds => b !== null);
}

/**
 * Makes sure the partitions holding `t` and the next period exist; `covered` remembers the
 * periods already checked ("table|period"). The caller holds the schema-change lock.
 */
export async function ensurePartitions(run: Run, table: string, t: number, length: number, covered: Set<string>): Promise<void> {
  for (const at of [t, (Math.floor(t / length) + 1) * length]) {
    const key = `${table}|${Math.floor(at / length)}`;
    if (covered.has(key)) continue;
    const range = rangeFor(at, length, await list(run, table));
    if (range !== null) await run(createPartitionSql(table, range.from, range.to));
    covered.add(key);
  }
}

/** Drops the partitions of `table` whose rows are all older than `before`; returns their names. */
export async function dropExpired(run: Run, table: string, before: number): Promise<string[]> {
  const gone = expired(await list(run, table), before);
  for (const b of gone) await run(`DROP TABLE IF EXISTS ${ident(b.name)}`);
  return gone.map((b) => b.name);
}
