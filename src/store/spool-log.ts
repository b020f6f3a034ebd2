// The log line of each spool event: the collector's loop hands every event here. A refusal is
// logged once per cause by the spool itself (with the fix); its write errors would only repeat it.
import type { Level } from "../log.ts";
import type { SpoolEventKind } from "./spool.ts";

export function spoolLogLine(kind: SpoolEventKind, d: Record<string, string | number>): [Level, string] | null {
  const rest = (skip: string[]) =>
    Object.entries(d)
      .filter(([k]) => !skip.includes(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
  switch (kind) {
    case "spooled":
    case "written":
      return null;
    case "write_error":
      return d.fault === "down" ? ["warn", `store: write_error ${rest(["fault"])}`] : null;
    case "refused":
      return ["error", `store: ${d.reason} (exports keep in the spool and are retried: ${rest(["reason", "fault"])})`];
    case "recovered":
      return ["info", `store: writing again after ${d.afterS} s (${rest(["afterS", "reason"])})`];
    default:
      return ["error", `store: ${kind} ${rest([])}`];
  }
}
