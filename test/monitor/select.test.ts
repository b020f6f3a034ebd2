import { expect, test } from "bun:test";
import { selectKth } from "../../src/monitor/select.ts";

function sorted(xs: Float64Array, n: number): Float64Array {
  return Float64Array.from(xs.subarray(0, n)).sort();
}

test("selectKth agrees with sorting on random, sorted, reversed, constant and duplicate-heavy input", () => {
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const shapes: Record<string, (n: number) => Float64Array> = {
    random: (n) => Float64Array.from({ length: n }, rnd),
    sorted: (n) => Float64Array.from({ length: n }, (_, i) => i),
    reversed: (n) => Float64Array.from({ length: n }, (_, i) => n - i),
    constant: (n) => new Float64Array(n).fill(7),
    fewValues: (n) => Float64Array.from({ length: n }, () => Math.floor(rnd() * 3)),
  };
  for (const [name, make] of Object.entries(shapes)) {
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      const base = make(n);
      const want = sorted(base, n);
      for (const k of [0, 1, n >> 3, n >> 1, n - 1].filter((k) => k < n)) {
        const a = Float64Array.from(base);
        expect({ name, n, k, v: selectKth(a, n, k) }).toEqual({ name, n, k, v: want[k]! });
        // Only a reordering: the same multiset remains.
        expect(sorted(a, n)).toEqual(want);
      }
    }
  }
});

test("only the first n entries take part", () => {
  const a = Float64Array.of(5, 1, 4, -100, -200);
  expect(selectKth(a, 3, 0)).toBe(1);
  expect([...a.subarray(3)]).toEqual([-100, -200]);
});
