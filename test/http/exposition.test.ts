import { describe, expect, test } from "bun:test";
import { createExposition, escapeHelp, escapeLabelValue, formatValue } from "../../src/http/exposition.ts";

describe("exposition", () => {
  test("escapes label values: backslash, double quote, newline", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue("fe80::1%eth0")).toBe("fe80::1%eth0");
  });

  test("escapes HELP text: backslash and newline, quotes stay", () => {
    expect(escapeHelp('one\\two\n"three"')).toBe('one\\\\two\\n"three"');
  });

  test("formats special values like Go's strconv", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 1.5, 12345678901234].map(formatValue)).toEqual([
      "NaN",
      "+Inf",
      "-Inf",
      "0",
      "1.5",
      "12345678901234",
    ]);
  });

  test("writes families with HELP, TYPE and escaped labels", () => {
    const x = createExposition();
    x.family("xenoflow_a_total", "counter", "A\nthing.");
    x.sample(3, { kind: 'we"ird', version: 9 });
    x.sample(4);
    x.family("xenoflow_empty", "gauge", "No samples yet.");
    expect(x.text()).toBe(
      [
        "# HELP xenoflow_a_total A\\nthing.",
        "# TYPE xenoflow_a_total counter",
        'xenoflow_a_total{kind="we\\"ird",version="9"} 3',
        "xenoflow_a_total 4",
        "# HELP xenoflow_empty No samples yet.",
        "# TYPE xenoflow_empty gauge",
        "",
      ].join("\n"),
    );
  });

  test("refuses a repeated family, a bad name and a sample without family", () => {
    const x = createExposition();
    expect(() => x.sample(1)).toThrow("sample before family");
    x.family("xenoflow_x", "gauge", "x");
    expect(() => x.family("xenoflow_x", "gauge", "x")).toThrow("repeated");
    expect(() => x.family("xenoflow-y", "gauge", "y")).toThrow("bad");
    expect(() => x.sample(1, { "bad-label": 1 })).toThrow("bad label");
  });
});
