import { describe, expect, test } from "bun:test";
import { keyNamer } from "../../src/report/names.ts";
import { alignedTable, csv, renderTop } from "../../src/report/render.ts";
import type { TopResult } from "../../src/report/top.ts";
import type { NameRow } from "../../src/store/names.ts";
import { bucketStarts } from "../../src/report/series.ts";
import { humanRate, humanValue, rawRate, si } from "../../src/report/units.ts";
import { XenoflowError } from "../../src/errors.ts";

describe("units", () => {
  test("three significant digits, decimal prefixes", () => {
    expect([0, 7, 999, 1000, 1234, 12_345, 123_456, 999_499, 999_500, 1_210_000_000, 2 ** 63].map(si)).toEqual([
      "0",
      "7",
      "999",
      "1.00 k",
      "1.23 k",
      "12.3 k",
      "123 k",
      "999 k",
      "1.00 M",
      "1.21 G",
      "9.22 E",
    ]);
    expect(si(0.5)).toBe("0.50");
  });

  test("octets and bits get units, counts stay exact", () => {
    expect(humanValue("octets", 1_210_000_000n)).toBe("1.21 GB");
    expect(humanValue("octets", 512n)).toBe("512 B");
    expect(humanValue("bits", 3_400_000n)).toBe("3.40 Mbit");
    expect(humanValue("packets", 9_007_199_254_740_993n)).toBe("9007199254740993");
    expect(humanRate("bits", 1.5e9)).toBe("1.50 Gbit/s");
    expect(humanRate("octets", 12)).toBe("12 B/s");
    expect(humanRate("flows", 12_500)).toBe("12.5 k/s");
    expect(rawRate(10 / 3)).toBe("3.333");
    expect(rawRate(120)).toBe("120");
  });
});

describe("text output", () => {
  test("aligned columns, numbers right, no trailing spaces", () => {
    expect(alignedTable(["key", "n"], [["a", "1"], ["longer", "1000"]], ["left", "right"])).toBe("key        n\na          1\nlonger  1000");
  });

  test("CSV quotes only what needs it (RFC 4180 section 2)", () => {
    expect(csv(["k", "v"], [["a,b", "1"], ['say "hi"', "2"], ["plain", "3"]])).toBe('k,v\n"a,b",1\n"say ""hi""",2\nplain,3');
  });

  test("top table: NULL key as -, shares of the ranked value", () => {
    const out = renderTop(
      {
        table: "all_x",
        by: "packets",
        range: { from: 0, to: 60 },
        keys: [{ name: "ifname", type: "string" }],
        values: ["octets", "packets"],
        top: [{ keys: [null], sums: [1500n, 3n] }],
        other: [0n, 1n],
        total: [1500n, 4n],
      },
      "table",
    );
    expect(out).toBe(
      [
        "all_x  1970-01-01T00:00:00Z .. 1970-01-01T00:01:00Z  top 1 by packets",
        "#      ifname   octets  packets       %",
        "1      -       1.50 kB        3   75.0%",
        "other              0 B        1   25.0%",
        "total          1.50 kB        4  100.0%",
        "",
      ].join("\n"),
    );
  });

  test("top table: names beside AS numbers, interfaces, protocols and ports; CSV keeps the values alone", () => {
    const names: NameRow[] = [
      { kind: "as", exporter: "", id: 64500, name: "EXAMPLE-NET", description: "", role: "" },
      { kind: "if", exporter: "192.0.2.1", id: 7, name: "xe-0/0/1", description: "transit A", role: "external" },
      { kind: "if", exporter: "192.0.2.2", id: 7, name: "et-1/0/0", description: "", role: "" },
    ];
    const r: TopResult = {
      table: "all_x",
      by: "packets",
      range: { from: 0, to: 60 },
      keys: [
        { name: "exporter", type: "address" },
        { name: "in_if", type: "uint" },
        { name: "src_as", type: "uint" },
        { name: "proto", type: "uint" },
        { name: "dst_port", type: "uint" },
      ],
      values: ["packets"],
      top: [
        { keys: ["192.0.2.1", "7", "64500", "6", "443"], sums: [3n] },
        { keys: ["192.0.2.2", "7", "64501", "17", "40000"], sums: [1n] },
      ],
      other: [0n],
      total: [4n],
    };
    expect(renderTop(r, "table", keyNamer(names))).toBe(
      [
        "all_x  1970-01-01T00:00:00Z .. 1970-01-01T00:01:00Z  top 2 by packets",
        "#      exporter   in_if         src_as               proto     dst_port     packets       %",
        "1      192.0.2.1  7 (xe-0/0/1)  64500 (EXAMPLE-NET)  6 (tcp)   443 (https)        3   75.0%",
        "2      192.0.2.2  7 (et-1/0/0)  64501                17 (udp)  40000              1   25.0%",
        "other                                                                             0    0.0%",
        "total                                                                             4  100.0%",
        "",
      ].join("\n"),
    );
    expect(renderTop(r, "csv")).toBe("row,exporter,in_if,src_as,proto,dst_port,packets\n1,192.0.2.1,7,64500,6,443,3\n2,192.0.2.2,7,64501,17,40000,1\nother,,,,,,0\ntotal,,,,,,4\n");
    // Without an exporter column an ifIndex is named only when every exporter calls it the same.
    const one = keyNamer([...names, { kind: "if", exporter: "192.0.2.2", id: 9, name: "ge-0/0/9", description: "", role: "" }]);
    expect(one([{ name: "in_if", type: "uint" }], ["7"])).toEqual([null]);
    expect(one([{ name: "in_if", type: "uint" }], ["9"])).toEqual(["ge-0/0/9"]);
  });
});

test("bucket starts cover the range; the end is exclusive", () => {
  expect(bucketStarts({ from: 59, to: 181 }, 60)).toEqual([0, 60, 120, 180]);
  expect(bucketStarts({ from: 60, to: 180 }, 60)).toEqual([60, 120]);
  expect(() => bucketStarts({ from: 0, to: 10 }, 0.5)).toThrow(XenoflowError);
  expect(() => bucketStarts({ from: 0, to: 10_000_000 }, 1)).toThrow("--every 1s gives 10000000 buckets over this range; the limit is 1000000");
});
