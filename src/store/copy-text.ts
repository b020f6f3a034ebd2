// Rows of a window export in PostgreSQL's COPY text format (COPY ... FROM STDIN, default options):
// tab-separated columns, newline-terminated rows, \N for NULL, backslash escapes for the four
// characters that would break the framing. Chunked so a large export streams with backpressure.
import { type ColumnSpec, LEAD_COLUMNS } from "./ddl.ts";
import { type WindowExport, rowsOf, slicesOf } from "./sink.ts";
import { StoreError } from "./store-error.ts";
import { ROWS_PER_TURN, betweenSlices } from "./turn.ts";

const CHUNK_CHARS = 256 * 1024;

export function escapeCopyText(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

// A value its column cannot hold is refused here, naming the column, before the server sees it
// (the server's refusal names the value only); the spool takes either as this export's "data".
const BIGINT_END = 2 ** 63;

function unfit(col: ColumnSpec, what: string): StoreError {
  return new StoreError(`column ${col.name} (${col.sqlType}) cannot hold ${what}`, "data");
}

function encodeCell(v: string | number | null, col: ColumnSpec): string {
  if (v === null) return "\\N";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "\\N";
    if (v >= BIGINT_END || v < -BIGINT_END) throw unfit(col, String(v));
    // Sums of counters are integers; a fractional sampling rate must not make bigint reject the row.
    // Below 1e21 String() prints plain digits, and bigint ends at 9.2e18 anyway.
    return String(col.role === "value" ? Math.round(v) : v);
  }
  if (v.includes("\0")) throw unfit(col, "a NUL character");
  return escapeCopyText(v);
}

/** The cells every row of a PostgreSQL COPY starts with: time, collector. */
export function pgLead(exp: WindowExport, collector: string): string {
  return `${new Date(exp.time * 1000).toISOString()}\t${escapeCopyText(collector)}`;
}

/**
 * Yields the export's rows as COPY text, each line `lead` (the cells before the keys, already
 * encoded) then the row's cells, in chunks of roughly CHUNK_CHARS characters, rendering them
 * ROWS_PER_TURN per turn (a stream reads ahead: a sync generator was read whole in one turn).
 * ClickHouse reads the same text as TabSeparated.
 */
export async function* copyChunks(exp: WindowExport, cols: readonly ColumnSpec[], lead: string): AsyncGenerator<string> {
  let buf = "";
  for await (const slice of slicesOf(rowsOf(exp), ROWS_PER_TURN, betweenSlices)) {
    for (const r of slice) {
      let line = lead;
      for (let j = 0; j < r.length; j++) line += "\t" + encodeCell(r[j] ?? null, cols[j + LEAD_COLUMNS]!);
      buf += line + "\n";
      if (buf.length >= CHUNK_CHARS) {
        yield buf;
        buf = "";
      }
    }
  }
  if (buf.length > 0) yield buf;
}
