import { expect, test } from "bun:test";
import { spoolLogLine } from "../../src/store/spool-log.ts";

test("one line per event kind; a refusal's write errors are left to its own line, keyed by cause", () => {
  const counts = { spoolBytes: 900, spoolEntries: 3 };
  const reason = 'database "xf_typo" does not exist: create it (createdb -O xf xf_typo) or fix the database name in storage.url';
  expect([
    spoolLogLine("spooled", { seq: 1, rows: 2, ...counts }),
    spoolLogLine("write_error", { seq: 1, attempts: 2, fault: "down", error: "connect ECONNREFUSED 127.0.0.1:5432", ...counts }),
    spoolLogLine("write_error", { seq: 1, attempts: 2, fault: "refused", error: reason, ...counts }),
    spoolLogLine("refused", { reason, fault: "refused", ...counts }),
    spoolLogLine("recovered", { afterS: 42, reason, ...counts }),
    spoolLogLine("dead_letter", { seq: 7, rows: 1, table: "all_proto", file: "/var/lib/xenoflow/dead-letter.jsonl", error: "column flows (bigint) cannot hold 1e+20" }),
  ]).toEqual([
    null,
    ["warn", "store: write_error seq=1 attempts=2 error=connect ECONNREFUSED 127.0.0.1:5432 spoolBytes=900 spoolEntries=3", "store:write_error"],
    null,
    ["error", `store: ${reason} (exports keep in the spool and are retried: spoolBytes=900 spoolEntries=3)`, `store:refused:${reason}`],
    ["info", "store: writing again after 42 s (spoolBytes=900 spoolEntries=3)", "store:recovered"],
    [
      "error",
      "store: dead_letter seq=7 rows=1 table=all_proto file=/var/lib/xenoflow/dead-letter.jsonl error=column flows (bigint) cannot hold 1e+20",
      "store:dead_letter",
    ],
  ]);
});
