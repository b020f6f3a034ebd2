import { describe, expect, test } from "bun:test";
import { createHealth } from "../../src/http/health.ts";
import type { SpoolStats } from "../../src/store/spool.ts";

const base: SpoolStats = { bytes: 0, entries: 0, written: 0, droppedExports: 0, droppedRows: 0, rejectedExports: 0, writeErrors: 0, lastError: null, lastLatencyMs: 0 };
const MIN = 60_000;

describe("health", () => {
  test("a store failing longer than 5 minutes is unhealthy until a write succeeds", () => {
    const h = createHealth(1 << 20);
    h.observe(base, 0);
    h.observe({ ...base, entries: 3, bytes: 900, writeErrors: 2, lastError: "connection refused" }, 10_000);
    expect(h.check(10_000 + 5 * MIN)).toEqual({ ok: true, problems: [], storeFailingSinceMs: 10_000 });
    h.observe({ ...base, entries: 5, bytes: 1500, writeErrors: 40, lastError: "connection refused" }, 10_000 + 5 * MIN + 1000);
    expect(h.check(10_000 + 5 * MIN + 1000)).toEqual({ ok: false, problems: ["store failing for 301 s: connection refused"], storeFailingSinceMs: 10_000 });
    h.observe({ ...base, entries: 4, bytes: 1200, written: 1, writeErrors: 40 }, 10_000 + 6 * MIN);
    expect(h.check(10_000 + 6 * MIN)).toEqual({ ok: true, problems: [], storeFailingSinceMs: null });
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
