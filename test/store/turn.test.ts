import { describe, expect, test } from "bun:test";
import { edenGC } from "bun:jsc";
import { SLICES_PER_FULL_GC, betweenSlices, createSerial, nextTurn } from "../../src/store/turn.ts";

/** Objects only weak references reach: made in their own frame so no stack slot holds one. */
function garbage(n: number): WeakRef<object>[] {
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < n; i++) refs.push(new WeakRef([`10.0.${i >> 8}.${i & 255}`, i, i * 2]));
  return refs;
}

describe("store turns", () => {
  test("nextTurn and betweenSlices resolve after the I/O and timers that are due", async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push("immediate"));
    await nextTurn();
    seen.push("nextTurn");
    setImmediate(() => seen.push("immediate"));
    await betweenSlices();
    seen.push("betweenSlices");
    expect(seen).toEqual(["immediate", "nextTurn", "immediate", "betweenSlices"]);
  });

  test("betweenSlices collects the young garbage a slice left", async () => {
    const refs = garbage(20_000);
    await nextTurn(); // weak references are held for the rest of the job that made them
    await betweenSlices();
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    // A conservative scan of the stack may keep a few.
    expect(alive).toBeLessThan(100);
  });

  test("one pause in SLICES_PER_FULL_GC collects the old generation too", async () => {
    let held: object[] | null = [];
    const refs: WeakRef<object>[] = [];
    (() => {
      for (let i = 0; i < 20_000; i++) {
        const o = [`10.1.${i >> 8}.${i & 255}`, i];
        held!.push(o);
        refs.push(new WeakRef(o));
      }
    })();
    edenGC(); // held: they survive it and are old from now on
    held = null;
    await nextTurn();
    for (let i = 0; i < SLICES_PER_FULL_GC; i++) await betweenSlices();
    expect(held).toBeNull();
    expect(refs.filter((r) => r.deref() !== undefined).length).toBeLessThan(100);
  });

  test("createSerial runs calls one after another, a failure not stopping the next", async () => {
    const serial = createSerial();
    const order: string[] = [];
    const slow = serial(async () => {
      await Bun.sleep(20);
      order.push("slow");
      throw new Error("boom");
    });
    const fast = serial(async () => {
      order.push("fast");
      return 7;
    });
    await expect(slow).rejects.toThrow("boom");
    expect(await fast).toBe(7);
    expect(order).toEqual(["slow", "fast"]);
  });
});
