// Active alerts on disk (`<data_dir>/alerts.json`), rewritten atomically whenever one starts or
// ends, so an operator (or a script) can see what is active without the HTTP API.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AlertState, describeAlert } from "./event.ts";

export const ALERTS_FILE = "alerts.json";

export function writeAlertState(dataDir: string, active: readonly AlertState[]): void {
  const path = join(dataDir, ALERTS_FILE);
  const doc = active.map((a) => ({ ...describeAlert(a), enable: a.enable }));
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 1)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
