// Applies a guard to the `postgres` package (porsager/postgres issues #1066, #1154, #1208; open
// PRs #1168, #1176, #1209): nextWrite() dereferences a socket that closed() already set to null,
// which throws from a setImmediate callback — an uncaught exception that kills the collector when
// the database restarts in the middle of a transaction (the ROLLBACK after a lost connection is
// sent on the dead connection). The guard settles the pending queries with CONNECTION_CLOSED, as
// PR #1209 does, so the caller sees an ordinary, catchable error. Idempotent; runs on npm install.
// Plain JavaScript so that node can run it before Bun exists.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "postgres");
const MARK = "xenoflow: guard a closed socket";
const FROM = "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)";
const TO = `  function nextWrite(fn) {
    if (socket === null) { // ${MARK} (porsager/postgres#1208)
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`;

let patched = 0;
for (const rel of ["src/connection.js", "cjs/src/connection.js"]) {
  const file = join(root, rel);
  if (!existsSync(file)) continue;
  const text = readFileSync(file, "utf8");
  if (text.includes(MARK)) continue;
  if (!text.includes(FROM)) {
    console.error(`patch-postgres: ${rel} does not contain the expected nextWrite(); check the pinned version`);
    process.exit(1);
  }
  writeFileSync(file, text.replace(FROM, TO));
  patched++;
}
if (patched > 0) console.log(`patch-postgres: guarded nextWrite() in ${patched} file(s)`);
