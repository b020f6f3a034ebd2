// The dead-letter file: window exports the database can never take (a value its column cannot
// hold), kept under data_dir instead of thrown away. JSON Lines, one export a line, appended and
// fsync'ed before the spool lets go of it (DESIGN.md section 5):
//   {"at":"<ISO time>","seq":N,"reason":"<why>","export":{"mo","window","table","time","keys","values","rows"}}
// `export` is a WindowExport with its rows inline: after a fix it can be loaded by hand.
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { type WindowExport, rowsOf } from "./sink.ts";

export function appendDeadLetter(file: string, seq: number, reason: string, exp: WindowExport, nowMs: number): void {
  const src = rowsOf(exp);
  const { mo, window, table, time, keys, values } = exp;
  const line = JSON.stringify({ at: new Date(nowMs).toISOString(), seq, reason, export: { mo, window, table, time, keys, values, rows: src.slice(0, src.count) } });
  // The rows are the operator's traffic: private, like the spool and the database file.
  const fd = openSync(file, "a", 0o600);
  try {
    writeSync(fd, `${line}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
