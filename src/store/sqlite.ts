// The embedded store: one SQLite file through bun:sqlite. WAL lets report queries read while the
// collector writes; synchronous=NORMAL in WAL mode loses at most the last commits on power loss,
// never consistency, and saves an fsync per export on SD cards.
//
// A big export is written in slices, one per event-loop turn, inside one transaction: on the thread
// that also receives, 100 000 rows in one piece held the loop for 100-190 ms and the kernel's
// receive buffer overflowed at 1 M flows/s. Calls run one at a time, so no other statement of this
// connection lands inside an open transaction.
//
// The file holds the operator's traffic matrix: it is created 0600 (SQLite's own default is 0644
// whatever the umask) and SQLite gives the -wal and -shm files the mode of the database file.
import { Database, type Statement } from "bun:sqlite";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { XenoflowError } from "../errors.ts";
import { defaultCollectorName } from "../config/sections.ts";
import { type ColumnSpec, EXPORTS_TABLE, LEAD_COLUMNS, addColumnSql, columnsOf, createTableSql, exportsTableSql, ident, layoutKey, missingColumns, tableIdent, upgradeExportsSql } from "./ddl.ts";
import { ALERTS_TABLE, alertCells, alertsTableSql, insertAlertSql } from "./alerts.ts";
import { NAME_ROWS_PER_INSERT, NAMES_TABLE, insertNamesSql, nameCells, namesTableSql } from "./names.ts";
import { type Row, type Sink, type WindowExport, rowsOf, slicesOf } from "./sink.ts";
import { StoreError, sqliteStoreError } from "./store-error.ts";
import { ROWS_PER_TURN, betweenSlices, createSerial } from "./turn.ts";

// SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32; stay well below and keep statements small.
const MAX_PARAMS = 8000;
const MAX_ROWS_PER_INSERT = 500;

type Cell = string | number | null;

/** `collector`: `[collector] name`, written in every row and exactly-once record; default: the short host name. */
export function createSqliteSink(path: string, collector: string = defaultCollectorName()): Sink {
  let db: Database;
  try {
    if (path !== ":memory:") {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // An empty file is a valid empty database; an existing one keeps the mode its owner chose.
      closeSync(openSync(path, "a", 0o600));
    }
    db = new Database(path, { create: true, strict: true });
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA busy_timeout = 5000");
    db.transaction(() => {
      const cols = db.query(`PRAGMA table_info(${ident(EXPORTS_TABLE)})`).all() as { name: string }[];
      if (cols.length === 0) db.exec(exportsTableSql("sqlite"));
      else if (!cols.some((c) => c.name === "collector")) for (const s of upgradeExportsSql("sqlite", collector)) db.exec(s);
    })();
  } catch (err) {
    throw new StoreError(`cannot open SQLite database ${path}: ${(err as Error).message}`, false, { cause: err });
  }
  // Tables whose layout was checked this run, by table and column signature.
  const ensured = new Set<string>();
  const inserts = new Map<string, Statement>();
  const markSeq = db.prepare(`INSERT OR IGNORE INTO ${ident(EXPORTS_TABLE)} ("collector", "seq", "tbl", "time") VALUES (?, ?, ?, ?)`);

  function ensure(table: string, cols: readonly ColumnSpec[]): void {
    const sig = layoutKey(table, cols);
    if (ensured.has(sig)) return;
    for (const s of createTableSql(table, cols)) db.exec(s);
    const info = db.query(`PRAGMA table_info(${tableIdent(table)})`).all() as { name: string; type: string }[];
    const existing = new Map(info.map((c) => [c.name, c.type]));
    for (const c of missingColumns(table, cols, existing)) db.exec(addColumnSql(table, c, "sqlite"));
    ensured.add(sig);
  }

  function insertFor(table: string, cols: readonly ColumnSpec[], n: number): Statement {
    const id = `${layoutKey(table, cols)}|${n}`;
    let st = inserts.get(id);
    if (!st) {
      const one = `(${cols.map(() => "?").join(", ")})`;
      st = db.prepare(`INSERT INTO ${tableIdent(table)} (${cols.map((c) => c.q).join(", ")}) VALUES ${Array(n).fill(one).join(", ")}`);
      inserts.set(id, st);
    }
    return st;
  }

  /** Inserts `rows` (a slice of exp's). */
  function insertRows(exp: WindowExport, cols: readonly ColumnSpec[], rows: readonly Row[]): void {
    const width = cols.length;
    const perStmt = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS / width)));
    for (let start = 0; start < rows.length; start += perStmt) {
      const n = Math.min(perStmt, rows.length - start);
      const params: Cell[] = new Array(n * width);
      let p = 0;
      for (let i = start; i < start + n; i++) {
        params[p++] = exp.time;
        params[p++] = collector;
        const r = rows[i]!;
        for (let j = 0; j < r.length; j++) params[p++] = cell(r[j] ?? null, cols[j + LEAD_COLUMNS]!);
      }
      insertFor(exp.table, cols, n).run(...params);
    }
  }

  async function writeSliced(exp: WindowExport, seq: number | undefined, cols: readonly ColumnSpec[]): Promise<void> {
    db.run("BEGIN");
    try {
      if (seq === undefined || markSeq.run(collector, seq, exp.table, exp.time).changes > 0) {
        ensure(exp.table, cols);
        for await (const rows of slicesOf(rowsOf(exp), ROWS_PER_TURN, betweenSlices)) insertRows(exp, cols, rows);
      }
      db.run("COMMIT");
    } catch (err) {
      if (db.inTransaction) db.run("ROLLBACK");
      throw err;
    }
  }

  const serial = createSerial();
  return {
    kind: "sqlite",
    write: (exp, seq) =>
      serial(async () => {
        const cols = columnsOf(exp, "sqlite");
        try {
          await writeSliced(exp, seq, cols);
        } catch (err) {
          ensured.clear();
          if (err instanceof XenoflowError && !(err instanceof StoreError)) throw err;
          throw sqliteStoreError(err, path, exp.table);
        }
      }),
    writeNames: (rows) =>
      serial(async () => {
        try {
          db.transaction(() => {
            db.exec(namesTableSql("sqlite"));
            db.exec(`DELETE FROM ${ident(NAMES_TABLE)}`);
            for (let at = 0; at < rows.length; at += NAME_ROWS_PER_INSERT) {
              const part = rows.slice(at, at + NAME_ROWS_PER_INSERT);
              db.prepare(insertNamesSql("sqlite", part.length)).run(...part.flatMap(nameCells));
            }
          })();
        } catch (err) {
          throw new StoreError(`SQLite write to ${NAMES_TABLE} failed: ${(err as Error).message}`, /BUSY|LOCKED|IOERR|FULL/.test(String((err as { code?: unknown }).code ?? "")), { cause: err });
        }
      }),
    writeAlert: (row) =>
      serial(async () => {
        try {
          for (const s of alertsTableSql("sqlite")) db.exec(s);
          db.prepare(insertAlertSql("sqlite")).run(...alertCells(row));
        } catch (err) {
          throw new StoreError(`SQLite write to ${ALERTS_TABLE} failed: ${(err as Error).message}`, /BUSY|LOCKED|IOERR|FULL/.test(String((err as { code?: unknown }).code ?? "")), { cause: err });
        }
      }),
    prune: (tables, before) =>
      serial(async () => {
        const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
        db.transaction(() => {
          for (const t of tables) {
            const q = tableIdent(t);
            if (exists.get(t)) db.prepare(`DELETE FROM ${q} WHERE "time" < ?`).run(before);
          }
          db.prepare(`DELETE FROM ${ident(EXPORTS_TABLE)} WHERE "collector" = ? AND "time" < ?`).run(collector, before);
          if (exists.get(ALERTS_TABLE)) db.prepare(`DELETE FROM ${ident(ALERTS_TABLE)} WHERE "collector" = ? AND "ended" < ?`).run(collector, before);
        })();
      }),
    close: () =>
      serial(async () => {
        for (const st of inserts.values()) st.finalize();
        markSeq.finalize();
        db.close();
      }),
  };
}

/** Values are sums of integer counters; a fractional sampling rate must not turn them into REAL. Rates stay fractional. */
function cell(v: string | number | null, col: ColumnSpec): Cell {
  if ((col.role !== "value" && col.role !== "rate") || typeof v !== "number") return v;
  if (!Number.isFinite(v)) return null;
  return col.role === "value" ? Math.round(v) : v;
}
