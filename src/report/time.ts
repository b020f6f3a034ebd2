// Time arguments of `xenoflow report`: a point is ISO 8601 or epoch seconds, a range is
// `--last DURATION` back from now or `--from T --to T`. Ranges are half-open [from, to) over window
// start times, so adjacent ranges never count a window twice.
import { parseDuration } from "../config/units.ts";
import { XenoflowError } from "../errors.ts";

export interface Range {
  /** Epoch seconds, inclusive. */
  from: number;
  /** Epoch seconds, exclusive. */
  to: number;
}

export interface RangeArgs {
  last?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const EPOCH = /^\d{1,12}(\.\d+)?$/;
// RFC 3339 section 5.6 profile of ISO 8601, plus a bare date; a missing zone means UTC, never the
// local zone, so a report reads the same on every machine.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch seconds (integer, floored) from ISO 8601 or epoch-seconds text. */
export function parseTime(text: string, what: string): number {
  const t = text.trim();
  if (EPOCH.test(t)) return Math.floor(Number(t));
  if (ISO.test(t)) {
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(t) || t.length === 10 ? t : `${t}Z`;
    const ms = Date.parse(zoned.replace(" ", "T"));
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
  }
  throw new XenoflowError("E_USAGE", `${what} "${text}": expected ISO 8601 (2024-05-01T12:00:00Z) or epoch seconds`);
}

/** A positive whole number of seconds from a config-style duration ("30s", "5m", "1h", "30d"). */
export function parseSeconds(text: string, what: string): number {
  const s = parseDuration(text);
  if (s === null || s < 1 || !Number.isInteger(s)) {
    throw new XenoflowError("E_USAGE", `${what} "${text}": expected a duration of whole seconds like 30s, 5m, 1h, 30d`);
  }
  return s;
}

export function resolveRange(args: RangeArgs, now: number, defaultLast = "1h"): Range {
  const hasFrom = args.from !== undefined && args.from !== "";
  const hasTo = args.to !== undefined && args.to !== "";
  const hasLast = args.last !== undefined && args.last !== "";
  if (hasLast && (hasFrom || hasTo)) throw new XenoflowError("E_USAGE", "give either --last or --from/--to, not both");
  let range: Range;
  if (hasFrom || hasTo) {
    if (!hasFrom) throw new XenoflowError("E_USAGE", "--to needs --from");
    const from = parseTime(args.from!, "--from");
    range = { from, to: hasTo ? parseTime(args.to!, "--to") : now };
  } else {
    range = { from: now - parseSeconds(hasLast ? args.last! : defaultLast, "--last"), to: now };
  }
  if (range.from >= range.to) {
    throw new XenoflowError("E_USAGE", `empty range: --from ${isoTime(range.from)} is not before --to ${isoTime(range.to)}`);
  }
  return range;
}

/** "2024-05-01T12:00:00Z": UTC without milliseconds, the form every report prints. */
export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}
