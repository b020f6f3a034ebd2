import { describe, expect, test } from "bun:test";
import { XenoflowError } from "../../src/errors.ts";
import { isoTime, parseSeconds, parseTime, resolveRange } from "../../src/report/time.ts";

const NOW = 1_700_000_000; // 2023-11-14T22:13:20Z

function usage(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(XenoflowError);
    expect((err as XenoflowError).code).toBe("E_USAGE");
    return (err as Error).message;
  }
  throw new Error("expected an E_USAGE error");
}

describe("parseTime", () => {
  test("epoch seconds and ISO 8601 forms; no zone means UTC", () => {
    expect(["1700000000", "1700000000.9", "2023-11-14T22:13:20Z", "2023-11-14T22:13:20", "2023-11-14 22:13:20", "2023-11-14T23:13:20+01:00", "2023-11-14T23:13:20+0100", "2023-11-14T22:13:20.500Z"].map((t) => parseTime(t, "--from"))).toEqual(
      Array(8).fill(NOW),
    );
    expect(parseTime("2023-11-14", "--from")).toBe(1_699_920_000);
    expect(parseTime("2023-11-14T22:13", "--from")).toBe(NOW - 20);
  });

  test("anything else is one clear E_USAGE line", () => {
    expect(usage(() => parseTime("yesterday", "--from"))).toBe('--from "yesterday": expected ISO 8601 (2024-05-01T12:00:00Z) or epoch seconds');
    expect(usage(() => parseTime("2023-13-45T00:00:00Z", "--to"))).toBe('--to "2023-13-45T00:00:00Z": expected ISO 8601 (2024-05-01T12:00:00Z) or epoch seconds');
  });
});

describe("resolveRange", () => {
  test("--last counts back from now; the default is one hour", () => {
    expect(resolveRange({ last: "15m" }, NOW)).toEqual({ from: NOW - 900, to: NOW });
    expect(resolveRange({}, NOW)).toEqual({ from: NOW - 3600, to: NOW });
    expect(resolveRange({ last: "" }, NOW, "1d")).toEqual({ from: NOW - 86400, to: NOW });
  });

  test("--from alone runs to now; --from/--to as given", () => {
    expect(resolveRange({ from: "1699990000" }, NOW)).toEqual({ from: 1_699_990_000, to: NOW });
    expect(resolveRange({ from: "2023-11-14T00:00:00Z", to: "1699990000" }, NOW)).toEqual({ from: 1_699_920_000, to: 1_699_990_000 });
  });

  test("conflicting, incomplete and empty ranges", () => {
    expect(usage(() => resolveRange({ last: "1h", from: "1" }, NOW))).toBe("give either --last or --from/--to, not both");
    expect(usage(() => resolveRange({ to: "1" }, NOW))).toBe("--to needs --from");
    expect(usage(() => resolveRange({ from: "1700000000", to: "1700000000" }, NOW))).toBe("empty range: --from 2023-11-14T22:13:20Z is not before --to 2023-11-14T22:13:20Z");
    expect(usage(() => resolveRange({ last: "1.5s" }, NOW))).toBe('--last "1.5s": expected a duration of whole seconds like 30s, 5m, 1h, 30d');
    expect(usage(() => resolveRange({ last: "1 hour" }, NOW))).toBe('--last "1 hour": expected a duration of whole seconds like 30s, 5m, 1h, 30d');
  });
});

test("parseSeconds and isoTime", () => {
  expect(["30s", "5m", "1h", "30d"].map((d) => parseSeconds(d, "--every"))).toEqual([30, 300, 3600, 2_592_000]);
  expect(usage(() => parseSeconds("500ms", "--every"))).toBe('--every "500ms": expected a duration of whole seconds like 30s, 5m, 1h, 30d');
  expect(isoTime(NOW)).toBe("2023-11-14T22:13:20Z");
});
