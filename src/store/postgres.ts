// The PostgreSQL store through the `postgres` package: one transaction per window export, rows by
// COPY, the spool's seq recorded in the same transaction. Nothing may hang the drainer forever:
// connects time out, statements time out server-side, and a whole write has a client-side
// deadline after which the pool is torn down and rebuilt (a half-open TCP connection otherwise
// waits for keepalive). Only identifiers that passed ddl.ident() reach sql.unsafe().
import postgres from "postgres";
import { copyIn } from "./copy-in.ts";
import { copyChunks } from "./copy-text.ts";
import { type ColumnSpec, EXPORTS_TABLE, addColumnSql, columnsOf, createTableSql, exportsTableSql, ident, layoutKey, missingColumns, tableIdent } from "./ddl.ts";
import { ALERTS_TABLE, alertCells, alertsTableSql, insertAlertSql } from "./alerts.ts";
import { NAME_ROWS_PER_INSERT, NAMES_TABLE, insertNamesSql, nameCells, namesTableSql } from "./names.ts";
import { type Sink, type WindowExport, rowCount } from "./sink.ts";
import { StoreError, maskUrl, pgStoreError } from "./store-error.ts";

export interface PostgresOptions {
  /** Schema for every table (search_path); default: the server's. */
  schema?: string;
  connectTimeoutS?: number;
  statementTimeoutMs?: number;
  /** Client-side deadline for one write or prune, connect included. */
  writeTimeoutMs?: number;
}

type Sql = postgres.Sql<Record<string, never>>;
type Tx = postgres.TransactionSql<Record<string, never>>;

export function createPostgresSink(url: string, opts: PostgresOptions = {}): Sink {
  const connectTimeoutS = opts.connectTimeoutS ?? 10;
  const statementTimeoutMs = opts.statementTimeoutMs ?? 60_000;
  const writeTimeoutMs = opts.writeTimeoutMs ?? 120_000;
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

  async function ensure(tx: Tx, table: string, cols: readonly ColumnSpec[]): Promise<string | null> {
    const sig = layoutKey(table, cols);
    if (ensured.has(sig)) return null;
    for (const s of createTableSql(table, cols)) await tx.unsafe(s);
    const info = await tx.unsafe<{ column_name: string; data_type: string }[]>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
      [table],
    );
    const existing = new Map(info.map((c) => [c.column_name, c.data_type]));
    for (const c of missingColumns(table, cols, existing)) await tx.unsafe(addColumnSql(table, c));
    return sig;
  }

  async function writeTx(tx: Tx, exp: WindowExport, seq: number | undefined, cols: readonly ColumnSpec[]): Promise<string | null> {
    if (seq !== undefined) {
      const fresh = await tx.unsafe(
        `INSERT INTO ${ident(EXPORTS_TABLE)} ("seq", "tbl", "time") VALUES ($1, $2, to_timestamp($3)) ON CONFLICT ("seq") DO NOTHING RETURNING "seq"`,
        [String(seq), exp.table, exp.time],
      );
      if (fresh.length === 0) return null; // written before a crash or a lost commit acknowledgement
    }
    const sig = await ensure(tx, exp.table, cols);
    if (rowCount(exp) > 0) {
      await copyIn(tx, `COPY ${tableIdent(exp.table)} (${cols.map((c) => c.q).join(", ")}) FROM STDIN`, copyChunks(exp, cols));
    }
    return sig;
  }

  return {
    kind: "postgres",
    async write(exp, seq) {
      const cols = columnsOf(exp, "postgres");
      await withDeadline(`write to ${exp.table} in`, async (s) => {
        if (!exportsReady) {
          await s.unsafe(exportsTableSql("postgres"));
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
    async writeAlert(row) {
      await withDeadline(`write to ${ALERTS_TABLE} in`, async (s) => {
        for (const q of alertsTableSql("postgres")) await s.unsafe(q);
        await s.unsafe(insertAlertSql("postgres"), alertCells(row));
      });
    },
    async prune(tables, before) {
      const quoted = tables.map(tableIdent);
      await withDeadline("prune in", async (s) => {
        await s.begin(async (tx) => {
          for (const q of quoted) {
            const [row] = await tx.unsafe<{ e: boolean }[]>("SELECT to_regclass($1) IS NOT NULL AS e", [q]);
            if (row?.e) await tx.unsafe(`DELETE FROM ${q} WHERE "time" < to_timestamp($1)`, [before]);
          }
          const [bk] = await tx.unsafe<{ e: boolean }[]>("SELECT to_regclass($1) IS NOT NULL AS e", [ident(EXPORTS_TABLE)]);
          if (bk?.e) await tx.unsafe(`DELETE FROM ${ident(EXPORTS_TABLE)} WHERE "time" < to_timestamp($1)`, [before]);
          const [al] = await tx.unsafe<{ e: boolean }[]>("SELECT to_regclass($1) IS NOT NULL AS e", [ident(ALERTS_TABLE)]);
          if (al?.e) await tx.unsafe(`DELETE FROM ${ident(ALERTS_TABLE)} WHERE "ended" < to_timestamp($1)`, [before]);
        });
      });
    },
    async close() {
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}
