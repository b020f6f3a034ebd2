import { expect, test } from "bun:test";
import { NUMBER_MAX, writeNumber } from "../../src/flow/json-bytes.ts";

const text = (v: number) => {
  const u = new Uint8Array(NUMBER_MAX + 4).fill(0x7e);
  const end = writeNumber(u, 2, v);
  // Nothing written before the start or after the end it returns.
  expect([u[0], u[1], u[end]]).toEqual([0x7e, 0x7e, 0x7e]);
  return new TextDecoder().decode(u.subarray(2, end));
};

test("writeNumber prints what JSON.stringify prints, at every digit count and past int32 and 2^53", () => {
  const values = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 99999, 100000, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 999_999_999, 1e9, 1e9 + 1,
    1_700_000_000_123, 2 ** 53 - 1, 2 ** 53, 2 ** 64, 1e21, 1.5, 0.1, -1, -0, -(2 ** 31), Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let d = 1, p = 1; d <= 16; d++, p *= 10) values.push(p, p - 1, p + 7, 3 * p + 14);
  let seed = 99;
  for (let k = 0; k < 2000; k++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    values.push(seed, seed * 4099 + (seed & 1023), (seed % 100000) / 8);
  }
  expect(values.map(text)).toEqual(values.map((v) => JSON.stringify(v)));
});
