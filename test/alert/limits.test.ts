import { describe, expect, test } from "bun:test";
import { defaultThresholds, parseOverrides } from "../../src/alert/limits.ts";

const defaults = defaultThresholds(["bits", "packets"], { bits: 500e6, packets: 100000 });
const csv = `# customer overrides: dst host, bits/s, packets/s
192.0.2.7, 1e9, 200000
192.0.2.8, , 50000          # bits keep the default
192.0.2.9, -, 10            # no bits threshold at all
198.51.100.0/24, 2e9,
198.51.100.128/25, 3e9, 1
`;

describe("limit overrides", () => {
  const o = parseOverrides("flood.csv", csv, 1, defaults);
  const t = (k: string) => Array.from(o.lookup([k]));

  test("two thresholds per key are read in the average's value order", () => {
    expect(t("192.0.2.7")).toEqual([1e9, 200000]);
    expect(t("192.0.2.8")).toEqual([500e6, 50000]);
    expect(t("192.0.2.9")).toEqual([Number.NaN, 10]);
  });

  test("the lowest threshold per value bounds which keys need a lookup", () => {
    expect(Array.from(o.min)).toEqual([500e6, 1]);
  });

  test("prefixes: longest match wins; unknown keys get the defaults", () => {
    expect(t("198.51.100.5")).toEqual([2e9, 100000]);
    expect(t("198.51.100.200")).toEqual([3e9, 1]);
    expect(t("203.0.113.1")).toEqual([500e6, 100000]);
  });

  test("a header names the threshold columns in any order", () => {
    const h = parseOverrides("h.csv", "dst host, packets, bits\n192.0.2.7, 7, 8\n", 1, defaults, ["bits", "packets"]);
    expect(Array.from(h.lookup(["192.0.2.7"]))).toEqual([8, 7]);
    expect(() => parseOverrides("h.csv", "dst host, bytes\n", 1, defaults, ["bits", "packets"])).toThrow(
      'h.csv:1: "bytes" is not a value of this average (bits, packets)',
    );
  });

  test("errors name the file and line", () => {
    expect(() => parseOverrides("f.csv", "1.2.3.4, 5\n", 1, defaults)).toThrow("f.csv:1: expected 1 key field(s) and 2 threshold(s), found 2 cells");
    expect(() => parseOverrides("f.csv", "\n1.2.3.4, x, 1\n", 1, defaults)).toThrow('f.csv:2: threshold "x" is not a non-negative number');
    expect(() => parseOverrides("f.csv", "10.1.0.0/8, 1, 1\n", 1, defaults)).toThrow(`f.csv:1: host bits set in "10.1.0.0/8" (did you mean "10.0.0.0/8"?)`);
  });
});
