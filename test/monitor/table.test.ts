import { describe, expect, test } from "bun:test";
import { createHashTable, hashWords } from "../../src/monitor/table.ts";

const key = (...w: number[]) => Uint32Array.from(w);

/** Keys [x, 0] whose hashes share the low `bits` bits with key [0, 0]'s: they probe the same slot. */
function colliding(count: number, bits: number): Uint32Array[] {
  const mask = (1 << bits) - 1;
  const home = hashWords(key(0, 0), 0, 2) & mask;
  const out: Uint32Array[] = [key(0, 0)];
  for (let x = 1; out.length < count; x++) if ((hashWords(key(x, 0), 0, 2) & mask) === home) out.push(key(x, 0));
  return out;
}

function contents(t: ReturnType<typeof createHashTable>): string[] {
  const rows: string[] = [];
  for (let e = 0; e < t.size; e++) {
    const k = Array.from(t.keys.subarray(t.keyBase(e), t.keyBase(e) + t.keyWords));
    const v = Array.from(t.vals.subarray(t.valBase(e), t.valBase(e) + t.valueCount));
    rows.push(`${k.join(".")}=${v.join(",")}`);
  }
  return rows.sort();
}

describe("hashWords", () => {
  test("depends on every word and on the word count", () => {
    const base = hashWords(key(1, 2, 3, 4), 0, 4);
    expect(hashWords(key(1, 2, 3, 5), 0, 4)).not.toBe(base);
    expect(hashWords(key(2, 2, 3, 4), 0, 4)).not.toBe(base);
    expect(hashWords(key(1, 2, 3, 4, 0), 0, 5)).not.toBe(base);
    expect(hashWords(key(9, 1, 2, 3, 4), 1, 4)).toBe(base);
  });

  test("spreads sequential IPv4 keys evenly over 1024 buckets", () => {
    const buckets = new Uint32Array(1024);
    for (let x = 0; x < 102400; x++) buckets[hashWords(key(0, 0, 0xffff, 0x0a000000 + x), 0, 4) & 1023]!++;
    // 100 per bucket expected; a poor mix of the low words leaves buckets empty or doubled.
    expect(Math.min(...buckets)).toBeGreaterThan(60);
    expect(Math.max(...buckets)).toBeLessThan(145);
  });
});

describe("hash table", () => {
  test("keys that collide in the index are kept apart", () => {
    const t = createHashTable(2, 1, 100, 16);
    const keys = colliding(6, 5); // 32 index slots at 16 entries
    keys.forEach((k, n) => {
      const e = t.upsert(k, 0);
      t.vals[t.valBase(e)] = n + 1;
    });
    expect(t.size).toBe(6);
    keys.forEach((k, n) => expect(t.vals[t.valBase(t.find(k, 0))]).toBe(n + 1));
    expect(t.find(key(0, 1), 0)).toBe(-1);
  });

  test("removing inside a collision chain keeps the rest reachable", () => {
    const t = createHashTable(2, 1, 100, 16);
    const keys = colliding(5, 5);
    keys.forEach((k, n) => {
      t.vals[t.valBase(t.upsert(k, 0))] = n + 1;
    });
    const moved = t.remove(t.find(keys[1]!, 0));
    expect(moved).toBe(4); // the last entry took the hole
    expect(t.find(keys[1]!, 0)).toBe(-1);
    expect(t.size).toBe(4);
    expect([0, 2, 3, 4].map((n) => t.vals[t.valBase(t.find(keys[n]!, 0))])).toEqual([1, 3, 4, 5]);
    expect(t.remove(t.find(keys[2]!, 0))).toBe(3);
    expect(t.remove(t.find(keys[4]!, 0))).toBe(2); // entries were [k0, k4, k3]
    expect(contents(t)).toEqual(["0.0=1", `${keys[3]![0]}.0=4`]);
  });

  test("grows from 16 entries to thousands, keeping keys and values", () => {
    const t = createHashTable(3, 2, 10000, 16);
    for (let x = 0; x < 5000; x++) {
      const e = t.upsert(key(x, x * 3, 7), 0);
      t.vals[t.valBase(e)] = x;
      t.vals[t.valBase(e) + 1] = -x;
    }
    expect(t.size).toBe(5000);
    for (let x = 0; x < 5000; x += 7) {
      const e = t.find(key(x, x * 3, 7), 0);
      expect(e).toBe(x); // entries stay in insertion order
      expect([t.vals[t.valBase(e)], t.vals[t.valBase(e) + 1]]).toEqual([x, -x]);
    }
  });

  test("an existing key is found again, with zeroed values only when new", () => {
    const t = createHashTable(1, 1, 4);
    const e = t.upsert(key(42), 0);
    t.vals[t.valBase(e)] = 5;
    expect(t.upsert(key(42), 0)).toBe(e);
    expect(t.vals[t.valBase(e)]).toBe(5);
  });

  test("is bounded: a new key beyond maxEntries is refused, old keys still update", () => {
    const t = createHashTable(1, 1, 100, 16);
    for (let x = 0; x < 100; x++) expect(t.upsert(key(x), 0)).toBe(x);
    expect(t.upsert(key(100), 0)).toBe(-1);
    expect(t.upsert(key(1000), 0)).toBe(-1);
    expect(t.upsert(key(99), 0)).toBe(99);
    expect(t.size).toBe(100);
  });

  test("clear() forgets entries and reuses the memory", () => {
    const t = createHashTable(2, 1, 1000, 16);
    for (let x = 0; x < 500; x++) t.vals[t.valBase(t.upsert(key(x, 1), 0))] = 9;
    const keys = t.keys;
    t.clear();
    expect(t.size).toBe(0);
    expect(t.find(key(3, 1), 0)).toBe(-1);
    const e = t.upsert(key(7, 7), 0);
    expect(e).toBe(0);
    expect(t.vals[t.valBase(e)]).toBe(0);
    expect(t.keys).toBe(keys);
    expect(contents(t)).toEqual(["7.7=0"]);
  });

  test("reserve() grows once to hold n entries, keeping what it holds; never beyond maxEntries", () => {
    const t = createHashTable(2, 1, 100_000, 16);
    for (let x = 0; x < 10; x++) t.vals[t.valBase(t.upsert(key(x, 1), 0))] = x;
    t.reserve(5000);
    const keys = t.keys;
    const index = t.index;
    for (let x = 10; x < 8192; x++) t.upsert(key(x, 1), 0); // 5000 rounded up to 8192
    expect(t.keys).toBe(keys);
    expect(t.index).toBe(index);
    expect(t.size).toBe(8192);
    for (let x = 0; x < 10; x++) expect(t.vals[t.valBase(t.find(key(x, 1), 0))]).toBe(x);
    t.reserve(100); // already holds more
    expect(t.keys).toBe(keys);
    t.upsert(key(9999, 1), 0);
    expect(t.keys).not.toBe(keys); // growth by doubling goes on from there

    const small = createHashTable(1, 1, 100, 16);
    small.reserve(1_000_000);
    const k = small.keys;
    for (let x = 0; x < 100; x++) expect(small.upsert(key(x), 0)).toBe(x);
    expect(small.upsert(key(100), 0)).toBe(-1);
    expect(small.keys).toBe(k);
  });

  test("matches a Map through random inserts and removes", () => {
    const t = createHashTable(2, 1, 4096, 16);
    const model = new Map<string, number>();
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let step = 0; step < 20000; step++) {
      const k = key(rnd(300), rnd(3));
      const name = `${k[0]}.${k[1]}`;
      if (rnd(3) === 0) {
        const e = t.find(k, 0);
        expect(e >= 0).toBe(model.has(name));
        if (e >= 0) t.remove(e);
        model.delete(name);
      } else {
        const e = t.upsert(k, 0);
        t.vals[t.valBase(e)]! += 1;
        model.set(name, (model.get(name) ?? 0) + 1);
      }
    }
    expect(contents(t)).toEqual([...model].map(([k, v]) => `${k}=${v}`).sort());
  });

  test("touch() reads without changing anything", () => {
    const t = createHashTable(1, 1, 10);
    t.vals[t.valBase(t.upsert(key(5), 0))] = 3;
    const hs = Int32Array.of(hashWords(key(5), 0, 1), hashWords(key(6), 0, 1));
    t.touch(hs, 0, 2);
    expect(contents(t)).toEqual(["5=3"]);
  });
});
