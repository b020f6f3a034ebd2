// The PostgreSQL store through the `postgres` package: one transaction per window export, rows by
// COPY, the spool's seq recorded in the same transaction. Nothing may hang the drainer forever:
// connects time out, statements time out server-side, and a whole write has a client-side
// deadline after which the pool is torn down and rebuilt (a half-open TCP connection otherwise
// waits for keepalive). Only identifiers that passed ddl.ident() reach sql.unsafe().
//
// Fleet: several collectors may share the database and start at the same moment. Every schema
// change (create, add column, the bookkeeping upgrade) runs under one transaction-scoped advisory
// lock per schema, so two collectors creating the same table or column wait for each other instead
// of one failing on the catalog's unique index (23505) or "already exists" (42P07, 42701).
import postgres from "postgres";
import { copyIn } from "./copy-in.ts";
import { copyChunks, pgLead } from "./copy-text.ts";
import { defaultCollectorName } from "../config/sections.ts";
import { type ColumnSpec, EXPORTS_TABLE, addColumnSql, columnsOf, createTableSql, exportsTableSql, ident, layoutKey, missingColumns, tableIdent, upgradeExportsSql } from "./ddl.ts";
import { NAME_ROWS_PER_INSERT, NAMES_TABLE, insertNamesSql, nameCells, namesTableSql } from "./names.ts";
import { type Run, dropExpired, ensurePartitions } from "./pg-partitions.ts";
import { type Sink, type WindowExport, rowCount } from "./sink.ts";
import { StoreError, maskUrl, pgStoreError } from "./store-error.ts";

export interface PostgresOptions {
  /** `[collector] name`: written in every row and exactly-once record; default: the short host name. */
  collector?: string;
  /** Schema for every table (search_path); default: the server's. */
  schema?: string;
  connectTimeoutS?: number;
  statementTimeoutMs?: number;
  /** Client-side deadline for one write or prune, connect included. */
  writeTimeoutMs?: number;
  /** `[storage] partition`, seconds (whole days): new window tables partitioned by time; 0 off. */
  partitionSeconds?: number;
  /** Where the sink says what the operator should know (a table left unpartitioned). */
  warn?: (message: string) => void;
}

type Sql = postgres.Sql<Record<string, never>>;
type Tx = postgres.TransactionSql<Record<string, never>>;

/** Waits for, then holds until commit, the schema-change lock of the current schema. */
async function lockDdl(tx: Tx): Promise<void> {
  await tx.unsafe("SELECT pg_advisory_xact_lock(hashtext('xenoflow ddl ' || current_schema()))");
}

/** Creates the bookkeeping table, or upgrades one from before fleets to per-collector keys. */
async function ensureExports(tx: Tx, collector: string): Promise<void> {
  await lockDdl(tx);
  await tx.unsafe(exportsTableSql("postgres"));
  const [has] = await tx.unsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'collector'",
    [EXPORTS_TABLE],
  );
  if (has?.n === 0) for (const s of upgradeExportsSql("postgres", collector)) await tx.unsafe(s);
}

export function createPostgresSink(url: string, opts: PostgresOptions = {}): Sink {
  const connectTimeoutS = opts.connectTimeoutS ?? 10;
  const statementTimeoutMs = opts.statementTimeoutMs ?? 60_000;
  const writeTimeoutMs = opts.writeTimeoutMs ?? 120_000;
  const collector = opts.collector ?? defaultCollectorName();
  const partitionSeconds = opts.partitionSeconds ?? 0;
  const warn = opts.warn ?? (() => {});
  const connection: Record<string, string | number> = { application_name: "xenoflow", statement_timeout: statementTimeoutMs };
  if (opts.schema !== undefined) connection.search_path = ident(opts.schema);

  function connect(): Sql {
    return postgres(url, {
      max: 2,
      connect_timeout: connectTimeoutS,
      idle_timeout: 300,
      keep_alive: 30,
      fetch_types: false,
      onnotice: () => {}, // "relation already exists, skipping" on every CREATE IF NOT EXISTS
      connection,
    }) as unknown as Sql;
  }

  let sql = connect();
  const ensured = new Set<string>();
  // Per table: partitioned ("p") or not, as the catalog says; and the periods known to have a partition.
  const partitioned = new Map<string, boolean>();
  const covered = new Set<string>();
  const warned = new Set<string>();
  let exportsReady = false;
  let closed = false;

  async function withDeadline<T>(what: string, run: (s: Sql) => Promise<T>, table = ""): Promise<T> {
    if (closed) throw new StoreError(`${what} ${maskUrl(url)}: sink is closed`, false);
    const s = sql;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The in-flight transaction's outcome is unknown; the seq bookkeeping makes a retry safe.
        if (sql === s) sql = connect();
        void s.end({ timeout: 0 }).catch(() => {});
        reject(new StoreError(`${what} ${maskUrl(url)}: no answer within ${writeTimeoutMs} ms`, true));
      }, writeTimeoutMs);
    });
    try {
      return await Promise.race([run(s), deadline]);
    } catch (err) {
      // The database may have been restored or recreated meanwhile: check the layout again.
      ensured.clear();
      partitioned.clear();
      covered.clear();
      exportsReady = false;
      const e = pgStoreError(err, url, what, table);
      // Sessions keep what they started with (default_transaction_read_only, search_path): the
      // operator's fix must reach the next attempt.
      if (e.fault === "refused" && sql === s) {
        sql = connect();
        void s.end({ timeout: 5 }).catch(() => {});
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  const runIn =
    (tx: Tx): Run =>
    <T extends object>(text: string, params: (string | number)[] = []) =>
      tx.unsafe<T[]>(text, params) as unknown as Promise<T[]>;

  async function ensure(tx: Tx, table: string, cols: readonly ColumnSpec[], time: number): Promise<string | null> {
    const sig = layoutKey(table, cols);
    if (ensured.has(sig)) {
      if (partitioned.get(table)) await partitionsFor(tx, table, time);
      return null;
    }
    await lockDdl(tx);
    for (const s of createTableSql(table, cols, partitionSeconds > 0)) await tx.unsafe(s);
    const [kind] = await tx.unsafe<{ p: boolean }[]>("SELECT relkind = 'p' AS p FROM pg_class WHERE oid = $1::regclass", [tableIdent(table)]);
    partitioned.set(table, kind?.p === true);
    if (kind?.p) await partitionsFor(tx, table, time);
    else if (partitionSeconds > 0 && !warned.has(table)) {
      warned.add(table);
      warn(`table ${table} is not partitioned (it predates [storage] partition): it keeps working and retention deletes its old rows; docs/FLEET.md shows how to partition it`);
    }
    const info = await tx.unsafe<{ column_name: string; data_type: string }[]>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
      [table],
    );
    const existing = new Map(info.map((c) => [c.column_name, c.data_type]));
    for (const c of missingColumns(table, cols, existing)) await tx.unsafe(addColumnSql(table, c, "postgres"));
    return sig;
  }

  /** A partitioned table (also after `partition` was switched off) needs a partition for every row. */
  async function partitionsFor(tx: Tx, table: string, time: number): Promise<void> {
    const length = partitionSeconds || 86400;
    const period = Math.floor(time / length);
    if (covered.has(`${table}|${period}`) && covered.has(`${table}|${period + 1}`)) return;
    await lockDdl(tx);
    await ensurePartitions(runIn(tx), table, time, length, covered);
  }

  async function writeTx(tx: Tx, exp: WindowExport, seq: number | undefined, cols: readonly ColumnSpec[]): Promise<string | null> {
    if (seq !== undefined) {
      const fresh = await tx.unsafe(
        `INSERT INTO ${ident(EXPORTS_TABLE)} ("collector", "seq", "tbl", "time") VALUES ($1, $2, $3, to_timestamp($4)) ON CONFLICT ("collector", "seq") DO NOTHING RETURNING "seq"`,
        [collector, String(seq), exp.table, exp.time],
      );
      if (fresh.length === 0) return null; // written before a crash or a lost commit acknowledgement
    }
    const sig = await ensure(tx, exp.table, cols, exp.time);
    if (rowCount(exp) > 0) {
      await copyIn(tx, `COPY ${tableIdent(exp.table)} (${cols.map((c) => c.q).join(", ")}) FROM STDIN`, copyChunks(exp, cols, pgLead(exp, collector)));
    }
    return sig;
  }

  return {
    kind: "postgres",
    async write(exp, seq) {
      const cols = columnsOf(exp, "postgres");
      await withDeadline(`write to ${exp.table} in`, async (s) => {
        if (!exportsReady) {
          await s.begin((tx) => ensureExports(tx, collector));
          exportsReady = true;
        }
        const sig = await s.begin((tx) => writeTx(tx, exp, seq, cols));
        if (sig !== null) ensured.add(sig);
      }, exp.table);
    },
    async writeNames(rows) {
      await withDeadline(`write to ${NAMES_TABLE} in`, async (s) => {
        await s.unsafe(namesTableSql("postgres"));
        await s.begin(async (tx) => {
          await tx.unsafe(`DELETE FROM ${ident(NAMES_TABLE)}`);
          for (let at = 0; at < rows.length; at += NAME_ROWS_PER_INSERT) {
            const part = rows.slice(at, at + NAME_ROWS_PER_INSERT);
            await tx.unsafe(insertNamesSql("postgres", part.length), part.flatMap(nameCells));
          }
        });
      });
    },
    async prune(tables, before) {
      const quoted = tables.map(tableIdent);
      await withDeadline("prune in", async (s) => {
        await s.begin(async (tx) => {
          // First, as in a write: the schema lock is always taken before any table's row locks.
          if (!exportsReady) await ensureExports(tx, collector);
          for (const [i, q] of quoted.entries()) {
            const [row] = await tx.unsafe<{ kind: string | null }[]>("SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass($1))::text AS kind", [q]);
            // Partitioned: whole partitions go, no row is deleted one by one.
            if (row?.kind === "p") {
              await lockDdl(tx);
              await dropExpired(runIn(tx), tables[i]!, before);
            } else if (row?.kind) await tx.unsafe(`DELETE FROM ${q} WHERE "time" < to_timestamp($1)`, [before]);
          }
          // Only this collector's bookkeeping: another one's retention may be longer.
          await tx.unsafe(`DELETE FROM ${ident(EXPORTS_TABLE)} WHERE "collector" = $1 AND "time" < to_timestamp($2)`, [collector, before]);
        });
        exportsReady = true;
      });
    },
    async close() {
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}
