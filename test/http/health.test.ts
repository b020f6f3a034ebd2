import { describe, expect, test } from "bun:test";
import { createHealth } from "../../src/http/health.ts";
import type { SpoolStats } from "../../src/store/spool-types.ts";

const base: SpoolStats = { bytes: 0, entries: 0, written: 0, droppedExports: 0, droppedRows: 0, deadLetterExports: 0, failing: null, writeErrors: 0, lastError: null, lastLatencyMs: 0 };
const MIN = 60_000;

describe("health", () => {
  test("a store that is down counts after 5 minutes, one that refuses at once; both until a write succeeds", () => {
    const h = createHealth(1 << 20);
    h.observe(base, 0);
    const down = { fault: "down" as const, reason: "database unreachable: connect ECONNREFUSED 127.0.0.1:5432", sinceMs: 10_000 };
    h.observe({ ...base, entries: 3, bytes: 900, writeErrors: 2, failing: down }, 10_000);
    expect(h.check(10_000 + 5 * MIN)).toEqual({ ok: true, problems: [], storeFailingSinceMs: 10_000 });
    h.observe({ ...base, entries: 5, bytes: 1500, writeErrors: 40, failing: down }, 10_000 + 5 * MIN + 1000);
    expect(h.check(10_000 + 5 * MIN + 1000)).toEqual({
      ok: false,
      problems: ["store failing for 301 s: database unreachable: connect ECONNREFUSED 127.0.0.1:5432"],
      storeFailingSinceMs: 10_000,
    });
    const refused = { fault: "refused" as const, reason: 'database "xf_typo" does not exist: create it', sinceMs: 10_000 + 6 * MIN };
    h.observe({ ...base, entries: 5, bytes: 1500, writeErrors: 41, failing: refused }, 10_000 + 6 * MIN + 2000);
    expect(h.check(10_000 + 6 * MIN + 2000)).toEqual({
      ok: false,
      problems: ['store refusing exports for 2 s: database "xf_typo" does not exist: create it'],
      storeFailingSinceMs: 10_000 + 6 * MIN,
    });
    h.observe({ ...base, entries: 4, bytes: 1200, written: 1, writeErrors: 41 }, 10_000 + 7 * MIN);
    expect(h.check(10_000 + 7 * MIN)).toEqual({ ok: true, problems: [], storeFailingSinceMs: null });
  });

  test("a spool near spool_max, or one that dropped exports in the last 5 minutes, is full", () => {
    const h = createHealth(1000);
    h.observe(base, 0);
    h.observe({ ...base, bytes: 960, entries: 9 }, 1000);
    expect(h.check(1000).problems).toEqual(["spool full: 960 of 1000 bytes"]);
    h.observe({ ...base, bytes: 500, entries: 5, droppedExports: 4 }, 2000);
    expect(h.check(2000).problems).toEqual(["spool full: window exports were dropped in the last 5 minutes"]);
    h.observe({ ...base, bytes: 0, entries: 0, written: 5, droppedExports: 4 }, 2000 + 5 * MIN);
    expect(h.check(2000 + 5 * MIN)).toEqual({ ok: true, problems: [], storeFailingSinceMs: null });
  });
});
