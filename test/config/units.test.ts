import { expect, test } from "bun:test";
import { formatDuration, formatSize, parseDuration, parseSize } from "../../src/config/units.ts";

test("durations", () => {
  expect(["500ms", "30s", "5m", "1h", "30d", "1.5h"].map(parseDuration)).toEqual([0.5, 30, 300, 3600, 2592000, 5400]);
  expect(["30", "5 min", "-1s", "1w", ""].map(parseDuration)).toEqual([null, null, null, null, null]);
  expect([0.5, 30, 300, 90, 86400 * 30].map(formatDuration)).toEqual(["500ms", "30s", "5m", "90s", "30d"]);
});

test("sizes: SI and IEC prefixes, plain bytes", () => {
  expect(["64KB", "16MiB", "1GiB", "512", "3 B"].map(parseSize)).toEqual([64000, 16777216, 1073741824, 512, 3]);
  expect(["16mb", "1.5GiB", "-1", "9999999TiB"].map(parseSize)).toEqual([null, null, null, null]);
  expect([16777216, 1536, 1000].map(formatSize)).toEqual(["16MiB", "1536B", "1000B"]);
});
