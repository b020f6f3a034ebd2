import { expect, test } from "bun:test";
import { locate } from "../../src/config/locate.ts";

test("keys, values, array elements and arrays of tables", () => {
  const text = [
    "# comment [not = a table]",
    'data_dir = "var" # trailing',
    "[collector]",
    'listen = ["a:1", # one',
    '  "b:2",',
    "  'c:3']",
    "[[mo]]",
    'name = "x"',
    "[[mo]]",
    "  [[mo.window]]",
    '  every = """',
    '30s"""',
    "  [[mo.window]]",
    "  every = '5m'",
    '  limit = { bits = 1e9, "on exceed" = "s.sh" }',
    "dotted.key = [[1, 2], [3]]",
  ].join("\n");
  const m = locate(text);
  const at = (p: string) => {
    const l = m.get(p);
    return l ? [l.key.line, l.key.col, l.value.line, l.value.col] : null;
  };
  expect(at("data_dir")).toEqual([2, 1, 2, 12]);
  expect(at("not")).toBeNull();
  expect(at("collector")).toEqual([3, 2, 3, 2]);
  expect(at("collector.listen")).toEqual([4, 1, 4, 10]);
  expect(at("collector.listen[0]")).toEqual([4, 11, 4, 11]);
  expect(at("collector.listen[1]")).toEqual([5, 3, 5, 3]);
  expect(at("collector.listen[2]")).toEqual([6, 3, 6, 3]);
  expect(at("mo[0].name")).toEqual([8, 1, 8, 8]);
  expect(at("mo[1]")).toEqual([9, 3, 9, 3]);
  expect(at("mo[1].window[0].every")).toEqual([11, 3, 11, 11]);
  expect(at("mo[1].window[1].every")).toEqual([14, 3, 14, 11]);
  expect(at("mo[1].window[1].limit.bits")).toEqual([15, 13, 15, 20]);
  expect(at("mo[1].window[1].limit.on exceed")).toEqual([15, 25, 15, 39]);
  expect(at("mo[1].window[1].dotted.key")).toEqual([16, 1, 16, 14]);
  expect(at("mo[1].window[1].dotted.key[1][0]")).toEqual([16, 24, 16, 24]);
  expect(at("mo[0].window[0]")).toBeNull();
});
