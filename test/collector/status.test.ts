// The status line's rates: exact enough that a trickle never reads as nothing.
import { expect, test } from "bun:test";
import { formatRate } from "../../src/collector/status.ts";

test("formatRate: whole numbers from 1000, three digits below, <0.001 for less, 0 only for none", () => {
  expect([2058.4, 999.6, 100, 99.96, 12.5, 9.999, 1, 0.42, 1 / 60, 0.0004, 0].map(formatRate)).toEqual([
    "2058", "1000", "100", "100", "12.5", "10", "1", "0.42", "0.0167", "<0.001", "0",
  ]);
});
