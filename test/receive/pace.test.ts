import { describe, expect, test } from "bun:test";
import { ACTIVE_MAX_MS, DATAGRAM_OVERHEAD, DEFAULT_BUFFER, IDLE_MS, POLL_MS, QUIET_MAX_MS, QUIET_MS, createPace } from "../../src/receive/pace.ts";

const MiB = 1 << 20;
const V9 = 1388; // a NetFlow v9 datagram of 29 records (`xenoflow gen`)

/** A read round that found `perMs` datagrams per ms of `size` bytes over `dt` ms, ending at `t`. */
function round(pace: ReturnType<typeof createPace>, t: number, dt: number, perMs: number, size = V9): number {
  const n = Math.round(perMs * dt);
  return pace.next(n, n * size, t);
}

/** Every granted buffer (0: unknown), rate in datagrams per ms and datagram size of the sweeps. */
function grid(check: (buffer: number, budget: number, perMs: number, size: number) => void): void {
  for (const buffer of [0, 212992, MiB, 4 * MiB, 64 * MiB]) {
    // A quarter of what the kernel keeps: twice the granted size, or the default when unknown.
    const budget = (2 * (buffer || DEFAULT_BUFFER)) / 4;
    for (const perMs of [0.01, 0.5, 3, 10, 34.5, 70, 138]) for (const size of [100, 600, V9, 8000]) check(buffer, budget, perMs, size);
  }
}

describe("pace", () => {
  test("sleeps for about PER_WAKEUP datagrams while the buffer is large", () => {
    const pace = createPace(4 * MiB, 0);
    // 1 M flows/s of 29 records: 34.5 datagrams per ms, 160 of them in 4.6 ms.
    expect([round(pace, 5, 5, 34.5), round(pace, 9, 4, 34.5), round(pace, 13, 4, 34.5)]).toEqual([4, 4, 4]);
    // 4 M flows/s: 138 per ms, the shortest sleep.
    expect(round(pace, 14, 1, 138)).toBe(POLL_MS);
    // 2 000 flows/s: ACTIVE_MAX_MS at most.
    expect(round(pace, 24, 10, 0.069)).toBe(ACTIVE_MAX_MS);
  });

  test("a small receive buffer shortens the sleep to a quarter of what the kernel keeps", () => {
    // Debian's net.core.rmem_max: at 1 M flows/s a quarter of the buffer holds 1.3 ms.
    const small = createPace(212992, 0);
    expect(round(small, 5, 5, 34.5)).toBe(1);
    // 300 000 flows/s: 15 ms for 160 datagrams, but the buffer's quarter fills in 4.3 ms.
    expect(round(createPace(212992, 0), 5, 5, 10.3)).toBe(4);
    // Unknown (getsockopt failed): the kernel's default, the same figures.
    const unknown = createPace(0, 0);
    expect([round(unknown, 5, 5, 34.5), round(createPace(0, 0), 5, 5, 10.3)]).toEqual([1, 4]);
    // Small datagrams cost the kernel more than their payload: 25 per ms of 100 bytes fill the
    // quarter in 3.8 ms counted with their overhead (42 ms counting payload alone).
    const v5 = createPace(212992, 0);
    expect(round(v5, 5, 5, 25, 100)).toBe(3);
  });

  test("what arrives during one sleep never takes more than a quarter of the buffer", () => {
    grid((buffer, budget, perMs, size) => {
      const wait = round(createPace(buffer, 0), 10, 10, perMs, size);
      expect(wait).toBeGreaterThanOrEqual(POLL_MS);
      expect(wait).toBeLessThanOrEqual(ACTIVE_MAX_MS);
      if (wait > POLL_MS) expect(wait * perMs * (size + DATAGRAM_OVERHEAD)).toBeLessThanOrEqual(budget);
    });
  });

  test("an empty read between bursts sleeps as the last read with data did; a quiet spell backs off", () => {
    const pace = createPace(4 * MiB, 0);
    expect([round(pace, 5, 5, 34.5), round(pace, 10, 5, 34.5), round(pace, 15, 5, 34.5)]).toEqual([4, 4, 4]);
    expect(pace.next(0, 0, 19)).toBe(4);
    expect(pace.next(0, 0, 15 + QUIET_MS - 1)).toBe(4);
    // A quarter of the 8 MiB the kernel keeps holds 25 ms of 1 M flows/s (34.5 datagrams of
    // 1388 bytes and 1 KiB of overhead per ms): the back-off doubles from the last sleep and
    // stops there.
    const at = [15, 23, 39, 64, 89].map((t) => QUIET_MS + t);
    expect(at.map((t) => pace.next(0, 0, t))).toEqual([8, 16, 25, 25, 25]);
    // Traffic again: the rate decides at once.
    expect(round(pace, QUIET_MS + 114, 25, 34.5)).toBe(4);
  });

  test("a read that finds a few datagrams just after a drained backlog sleeps no longer than the buffer's quarter lasts at the rate just seen", () => {
    // 2 M sFlow samples/s: 285 datagrams of 7 samples (1372 bytes) a ms. A quarter of the 8 MiB
    // the kernel keeps holds 3 ms of it; the read after a drain finds 5 and must not sleep 10.
    const pace = createPace(4 * MiB, 0);
    expect([round(pace, 10, 10, 285, 1372), pace.next(5, 5 * 1372, 11), pace.next(0, 0, 14)]).toEqual([POLL_MS, 3, 3]);
    // Once a whole span is slow, the rate has really fallen: the slow read's sleep stands.
    expect(round(pace, 25, 11, 0.5, 1372)).toBe(ACTIVE_MAX_MS);
  });

  test("a trickle wakes the receiver about every ACTIVE_MAX_MS, not every POLL_MS", () => {
    // 10 datagrams a second, one every 100 ms: each read with data sleeps ACTIVE_MAX_MS, and so
    // does every empty read until the next datagram (it was POLL_MS: ~800 wakeups a second).
    const pace = createPace(4 * MiB, 0);
    const waits: number[] = [];
    let t = 0;
    let next = 0;
    while (t < 1000) {
      const n = t >= next ? 1 : 0;
      if (n > 0) next += 100;
      const wait = pace.next(n, n * V9, t);
      waits.push(wait);
      t += wait;
    }
    expect(new Set(waits)).toEqual(new Set([ACTIVE_MAX_MS]));
    expect(waits.length).toBe(1000 / ACTIVE_MAX_MS);
  });

  test("an empty read after a fast spell sleeps no longer than the buffer's quarter lasts at that rate", () => {
    // Debian's buffer: 1 M flows/s fills the quarter in 1.3 ms; a slow read after it decides 10 ms,
    // but the empty read that follows goes back to what the fast spell allows.
    const pace = createPace(212992, 0);
    expect([round(pace, 10, 10, 34.5), round(pace, 20, 10, 0.5), pace.next(0, 0, 30)]).toEqual([1, ACTIVE_MAX_MS, 1]);
    // The same with 64 MiB: the quarter holds 100 ms of 1 M flows/s, the slow read's 10 ms stays.
    const large = createPace(64 * MiB, 0);
    expect([round(large, 10, 10, 34.5), round(large, 20, 10, 0.5), large.next(0, 0, 30)]).toEqual([4, ACTIVE_MAX_MS, ACTIVE_MAX_MS]);
  });

  test("how far a quiet spell backs off: what the buffer holds at the highest rate seen", () => {
    const quiet = (buffer: number, perMs: number, size = V9) => {
      const pace = createPace(buffer, 0);
      round(pace, 10, 10, perMs, size);
      let wait = 0;
      for (let t = 10 + QUIET_MS; t < 10 + QUIET_MS + 2000; t += wait) wait = pace.next(0, 0, t);
      return wait;
    };
    // 64 MiB and 1 M flows/s, or Debian's buffer and a datagram every 10 ms: the ceiling.
    expect(quiet(64 * MiB, 34.5)).toBe(QUIET_MAX_MS);
    expect(quiet(212992, 0.1)).toBe(QUIET_MAX_MS);
    // Debian's buffer after 1 M flows/s: IDLE_MS, as before the rate was known (the quarter
    // holds 1.3 ms; sleeping less would only add wakeups while nothing comes).
    expect(quiet(212992, 34.5)).toBe(IDLE_MS);
    expect(quiet(0, 34.5)).toBe(IDLE_MS);
    // 4 MiB at 4 M flows/s: 6 ms, so IDLE_MS; at 300 000 flows/s: 84 ms, so the ceiling.
    expect([quiet(4 * MiB, 138), quiet(4 * MiB, 10.3)]).toEqual([IDLE_MS, QUIET_MAX_MS]);
    // The highest rate counts, not the last: 1 M flows/s, then a trickle (whose 10 ms sleeps
    // the back-off doubles from).
    const pace = createPace(4 * MiB, 0);
    round(pace, 10, 10, 34.5);
    round(pace, 20, 10, 0.1);
    const waits = [250, 252, 256, 264, 280, 305].map((t) => pace.next(0, 0, t));
    expect(waits).toEqual([20, 25, 25, 25, 25, 25]);
    // Over ACTIVE_MAX_MS, not per round: a burst of 2 ms at 4 M flows/s in 10 ms of 1 M/s
    // counts as ~1.6 M/s (15 ms of the quarter), not as 4 M/s (6 ms, so IDLE_MS).
    const bursty = createPace(4 * MiB, 0);
    round(bursty, 8, 8, 34.5);
    round(bursty, 10, 2, 138);
    expect([250, 252, 256, 264, 280].map((t) => bursty.next(0, 0, t))).toEqual([2, 4, 8, 15, 15]);
    // Whatever the sizes and rates, a quiet sleep beyond IDLE_MS leaves room in the quarter for
    // what the fastest 10 ms seen would bring in it.
    grid((buffer, budget, perMs, size) => {
      const wait = quiet(buffer, perMs, size);
      expect(wait).toBeGreaterThanOrEqual(IDLE_MS);
      expect(wait).toBeLessThanOrEqual(QUIET_MAX_MS);
      if (wait > IDLE_MS) expect(wait * perMs * (size + DATAGRAM_OVERHEAD)).toBeLessThanOrEqual(budget);
    });
  });

  test("a fresh receiver with nothing to read backs off from the start", () => {
    const pace = createPace(4 * MiB, 1_000_000);
    expect([1_000_001, 1_000_003, 1_000_007, 1_000_015].map((t) => pace.next(0, 0, t))).toEqual([2, 4, 8, 8]);
  });

  test("before any traffic the back-off goes as far as the buffer holds at 4 M flows/s", () => {
    const ceiling = (buffer: number) => {
      const pace = createPace(buffer, 0);
      let wait = 0;
      for (let t = 0; t < 2000; t += wait) wait = pace.next(0, 0, t);
      return wait;
    };
    // A quarter of what the kernel keeps, at 138 datagrams of 1388 bytes and 1 KiB of overhead
    // a ms (333 kB): 6 ms for a 4 MiB buffer, so IDLE_MS; 25 ms for 16 MiB (the configuration's
    // default, where net.core.rmem_max allows it); 100 ms for 64 MiB, so QUIET_MAX_MS. Debian's
    // default buffer or an unknown one: IDLE_MS.
    expect([ceiling(4 * MiB), ceiling(16 * MiB), ceiling(64 * MiB), ceiling(212992), ceiling(0)]).toEqual([IDLE_MS, 25, QUIET_MAX_MS, IDLE_MS, IDLE_MS]);
    // What 4 M flows/s would bring during such a sleep fits the quarter.
    for (const buffer of [16 * MiB, 32 * MiB]) expect(ceiling(buffer) * 138 * (V9 + DATAGRAM_OVERHEAD)).toBeLessThanOrEqual((2 * buffer) / 4);
  });
});
