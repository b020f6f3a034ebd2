// The ClickHouse store through the official `@clickhouse/client` over HTTP: rows in TabSeparated
// (the COPY text of copy-text.ts, which ClickHouse reads as is), one INSERT per window export.
//
// Exactly once without transactions (18.16 has none, nor insert deduplication outside replicated
// tables): every row carries its export's `seq`, and one INSERT of one window is one block (one
// `time`, so one partition; max_insert_block_size raised above its row count), which MergeTree
// commits whole or not at all. Before inserting, the sink ends any earlier attempt of the same
// export still running on the server (KILL QUERY ... SYNC on its query_id: a write that timed out
// here may still commit there), then counts the rows of (collector, time, seq): all there means
// written before a crash or a lost acknowledgement, none means insert. Some is impossible by the
// above and is refused rather than guessed at.
//
// Fleet: schema changes are idempotent (CREATE ... IF NOT EXISTS; ADD COLUMN after a look at
// system.columns), and the "already exists" a concurrent collector causes is retried after a
// fresh look.
//
// Shards (`?cluster=NAME` in the URL, a cluster of the server's remote_servers): the rows live in
// `<table>_local` on every shard and `<table>` is a Distributed table over them on every shard, so
// reports may ask any. 18.16 has no ON CLUSTER without ZooKeeper: the sink creates the tables on
// each shard itself, reaching the shards' addresses (system.clusters) on the URL's HTTP port.
// Inserts go through the Distributed table synchronously (insert_distributed_sync), so the count
// before a retry sees what every shard holds.
import { Readable } from "node:stream";
import type { ClickHouseClient } from "@clickhouse/client";
import { defaultCollectorName } from "../config/sections.ts";
import { LOCAL, MERGE_TREE, clickhouseAddColumnSql, clickhouseColumns, clickhouseTableSql, clickhouseType, distributedEngine, expiredPartitions } from "./clickhouse-ddl.ts";
import { clickhouseCode, clickhouseStoreError, connectTarget, httpOf, parseClickhouseUrl, rowsOf } from "./clickhouse-conn.ts";
import { copyChunks } from "./copy-text.ts";
import { type ColumnSpec, collectorLiteral, columnsOf, ident, layoutKey, missingColumns, tableIdent } from "./ddl.ts";
import { NAMES_TABLE } from "./names.ts";
import { replaceNames } from "./clickhouse-names.ts";
import { type Sink, rowCount } from "./sink.ts";
import { StoreError } from "./store-error.ts";

export interface ClickhouseOptions {
  /** `[collector] name`; default: the short host name. */
  collector?: string;
  /** Client-side deadline of one request. */
  requestTimeoutMs?: number;
}

// TABLE_ALREADY_EXISTS, ILLEGAL_COLUMN ("column with this name already exists"), DUPLICATE_COLUMN:
// what a collector creating the same table or column at the same moment as another one sees.
const RACE_CODES = new Set([57, 44, 15]);
const DEFAULT_BLOCK_ROWS = 1_048_576;

export function createClickhouseSink(url: string, opts: ClickhouseOptions = {}): Sink {
  const collector = opts.collector ?? defaultCollectorName();
  const collectorSql = collectorLiteral(collector);
  const target = parseClickhouseUrl(url);
  const timeoutMs = opts.requestTimeoutMs ?? 120_000;
  const client = connectTarget(target, timeoutMs);
  const cluster = target.cluster;
  let shards: ClickHouseClient[] | null = null;
  const ensured = new Set<string>();
  let closed = false;

  /** A client per shard of the cluster (found once), or the one server. */
  async function servers(): Promise<ClickHouseClient[]> {
    if (cluster === null) return [client];
    if (shards === null) {
      const hosts = await rowsOf<{ h: string }>(client, `SELECT DISTINCT host_address AS h FROM system.clusters WHERE cluster = '${cluster}' ORDER BY h`);
      if (hosts.length === 0) throw new StoreError(`storage.url names cluster ${cluster}, which the server's remote_servers does not define`, false);
      shards = hosts.map((r) => connectTarget({ ...target, http: httpOf(r.h, target.port) }, timeoutMs));
    }
    return shards;
  }

  /** Creates `name` with `engine` on `server` and adds the columns it lacks. */
  async function createOn(server: ClickHouseClient, name: string, cols: readonly ColumnSpec[], engine: string): Promise<void> {
    await server.command({ query: clickhouseTableSql(name, cols, engine) });
    const info = await rowsOf<{ name: string; type: string }>(
      server,
      `SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = '${name}'`,
    );
    const existing = new Map(info.map((c) => [c.name, c.type]));
    for (const c of missingColumns(name, clickhouseColumns(cols), existing, clickhouseType)) {
      await server.command({ query: clickhouseAddColumnSql(name, c) });
    }
  }

  async function ensureOnce(table: string, cols: readonly ColumnSpec[]): Promise<void> {
    if (cluster === null) return createOn(client, table, cols, MERGE_TREE);
    for (const server of await servers()) {
      await createOn(server, `${table}${LOCAL}`, cols, MERGE_TREE);
      await createOn(server, table, cols, distributedEngine(cluster, target.database, table));
    }
  }

  async function ensure(table: string, cols: readonly ColumnSpec[]): Promise<void> {
    const sig = layoutKey(table, cols);
    if (ensured.has(sig)) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureOnce(table, cols);
        break;
      } catch (err) {
        const code = clickhouseCode(err);
        if (attempt >= 5 || code === null || !RACE_CODES.has(code)) throw err;
      }
    }
    ensured.add(sig);
  }

  /** Rows already stored for this export: 0, or all of them. */
  async function alreadyStored(table: string, time: number, seq: number, queryId: string): Promise<number> {
    await client.command({ query: `KILL QUERY WHERE query_id = '${queryId}' SYNC` });
    const [r] = await rowsOf<{ n: string }>(
      client,
      `SELECT count() AS n FROM ${tableIdent(table)} WHERE "time" = toDateTime(${time}) AND "collector" = ${collectorSql} AND "seq" = ${seq}`,
    );
    return Number(r?.n ?? 0);
  }

  return {
    kind: "clickhouse",
    async write(exp, seq) {
      if (closed) throw new StoreError(`write to ${exp.table}: sink is closed`, false);
      const cols = columnsOf(exp, "clickhouse");
      const rows = rowCount(exp);
      const s = seq ?? 0;
      if (!Number.isSafeInteger(s) || s < 0 || !Number.isInteger(exp.time)) throw new StoreError(`write to ${exp.table}: invalid seq ${s} or time ${exp.time}`, false);
      const queryId = `xenoflow-${collector}-${exp.table}-${s}`;
      try {
        await ensure(exp.table, cols);
        if (rows === 0) return;
        if (seq !== undefined) {
          const have = await alreadyStored(exp.table, exp.time, s, queryId);
          if (have === rows) return;
          if (have > 0) throw new StoreError(`write to ${exp.table}: ${have} of ${rows} rows of export ${s} are stored; not writing it again`, false);
        }
        const chunks = copyChunks(exp, cols, `${exp.time}\t${collector}\t${s}`);
        await client.insert({
          table: tableIdent(exp.table),
          columns: clickhouseColumns(cols).map((c) => c.q) as [string, ...string[]],
          values: Readable.from(chunks, { objectMode: false }),
          format: "TabSeparated",
          query_id: queryId,
          clickhouse_settings: { max_insert_block_size: String(Math.max(DEFAULT_BLOCK_ROWS, rows + 1)), ...(cluster === null ? {} : { insert_distributed_sync: 1 }) },
        });
      } catch (err) {
        // The server may have been recreated meanwhile: check the layout again.
        ensured.clear();
        throw clickhouseStoreError(err, url, `write to ${exp.table} in`);
      }
    },
    async writeNames(rows) {
      if (closed) throw new StoreError(`write to ${NAMES_TABLE}: sink is closed`, false);
      try {
        await replaceNames(client, rows);
      } catch (err) {
        throw clickhouseStoreError(err, url, `write to ${NAMES_TABLE} in`);
      }
    },
    async prune(tables, before) {
      if (closed) throw new StoreError("prune: sink is closed", false);
      for (const t of tables) tableIdent(t); // validated before any name reaches the text
      try {
        for (const server of await servers()) {
          for (const t of tables) {
            const local = cluster === null ? t : `${t}${LOCAL}`;
            const parts = await rowsOf<{ partition: string }>(
              server,
              `SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = '${local}' AND active`,
            );
            for (const p of expiredPartitions(parts.map((r) => r.partition), before)) {
              await server.command({ query: `ALTER TABLE ${ident(local)} DROP PARTITION ${p}` });
            }
          }
        }
      } catch (err) {
        throw clickhouseStoreError(err, url, "prune in");
      }
    },
    async close() {
      closed = true;
      for (const s of shards ?? []) await s.close();
      await client.close();
    },
  };
}
