// One line per event. Under systemd (JOURNAL_STREAM set) lines carry sd-daemon priority prefixes
// and no timestamp, since journald adds its own; on a terminal they are coloured; otherwise plain
// with an ISO timestamp. Repeats of the same message key are rate-limited, and the number
// suppressed is reported when the key speaks again.
import { paint } from "./cli/tty.ts";

export type Level = "debug" | "info" | "warn" | "error";

const PRIORITY: Record<Level, number> = { debug: 7, info: 6, warn: 4, error: 3 };
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const COLOR = { debug: "dim", info: "green", warn: "yellow", error: "red" } as const;

export interface Logger {
  debug(msg: string, key?: string): void;
  info(msg: string, key?: string): void;
  warn(msg: string, key?: string): void;
  error(msg: string, key?: string): void;
  log(level: Level, msg: string, key?: string): void;
}

export interface LoggerOptions {
  level?: Level;
  write?: (line: string) => void;
  isTTY?: boolean;
  journal?: boolean;
  /** At most this many lines per key per interval. */
  burst?: number;
  intervalMs?: number;
  now?: () => number;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = RANK[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const journal = opts.journal ?? !!process.env.JOURNAL_STREAM;
  const tty = opts.isTTY ?? !!process.stderr.isTTY;
  const burst = opts.burst ?? 5;
  const intervalMs = opts.intervalMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const seen = new Map<string, { since: number; count: number; suppressed: number }>();

  const log = (level: Level, msg: string, key?: string) => {
    if (RANK[level] < min) return;
    let line = msg.replace(/\s*\n\s*/g, " ");
    if (key !== undefined) {
      const t = now();
      let s = seen.get(key);
      if (!s || t - s.since >= intervalMs) {
        const suppressed = s?.suppressed ?? 0;
        s = { since: t, count: 0, suppressed: 0 };
        seen.set(key, s);
        if (suppressed > 0) line += ` (${suppressed} similar messages suppressed)`;
        if (seen.size > 10_000) seen.clear();
      }
      if (++s.count > burst) {
        s.suppressed++;
        return;
      }
    }
    if (journal) write(`<${PRIORITY[level]}>${line}`);
    else if (tty) write(`${new Date(now()).toISOString().slice(11, 19)} ${paint(COLOR[level], level.padEnd(5), { isTTY: true })} ${line}`);
    else write(`${new Date(now()).toISOString()} ${level} ${line}`);
  };
  return {
    log,
    debug: (m, k) => log("debug", m, k),
    info: (m, k) => log("info", m, k),
    warn: (m, k) => log("warn", m, k),
    error: (m, k) => log("error", m, k),
  };
}
