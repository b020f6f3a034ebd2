// The log line of each spool event, and its rate-limit key: the collector's loop hands every event
// here. The spool reports a refusal once per cause (with the fix), so each cause has its own key;
// the write errors of a refusal would only repeat it.
import type { Level } from "../log.ts";
import type { SpoolEventKind } from "./spool-types.ts";

export function spoolLogLine(kind: SpoolEventKind, d: Record<string, string | number>): [Level, string, string] | null {
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
      return d.fault === "down" ? ["warn", `store: write_error ${rest(["fault"])}`, "store:write_error"] : null;
    case "refused":
      return ["error", `store: ${d.reason} (exports keep in the spool and are retried: ${rest(["reason", "fault"])})`, `store:refused:${d.reason}`];
    case "recovered":
      return ["info", `store: writing again after ${d.afterS} s (${rest(["afterS", "reason"])})`, "store:recovered"];
    default:
      return ["error", `store: ${kind} ${rest([])}`, `store:${kind}`];
  }
}
