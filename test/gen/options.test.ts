import { describe, expect, test } from "bun:test";
import { parseGenArgs } from "../../src/gen/options.ts";
import { parseTarget } from "../../src/gen/target.ts";

describe("--to", () => {
  test("loopback addresses and localhost", () => {
    expect(parseTarget("127.0.0.1:2055", false)).toEqual({ host: "127.0.0.1", port: 2055, family: 4 });
    expect(parseTarget("127.9.8.7:1", false)).toEqual({ host: "127.9.8.7", port: 1, family: 4 });
    expect(parseTarget("localhost:4739", false)).toEqual({ host: "127.0.0.1", port: 4739, family: 4 });
    expect(parseTarget("[::1]:2055", false)).toEqual({ host: "::1", port: 2055, family: 6 });
  });
  test("anything else only with --allow-remote", () => {
    expect(() => parseTarget("192.0.2.1:2055", false)).toThrow("192.0.2.1 is not a loopback address; add --allow-remote");
    expect(() => parseTarget("[2001:db8::1]:2055", false)).toThrow("not a loopback address");
    expect(() => parseTarget("collector.example:2055", false)).toThrow("host names are resolved only with --allow-remote");
    expect(parseTarget("192.0.2.1:2055", true)).toEqual({ host: "192.0.2.1", port: 2055, family: 4 });
  });
  test("malformed", () => {
    for (const bad of ["127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:2055", ""]) {
      expect(() => parseTarget(bad, false)).toThrow("--to must be HOST:PORT");
    }
  });
});

describe("arguments", () => {
  test("defaults", () => {
    const o = parseGenArgs({ to: "127.0.0.1:2055" });
    expect({ ...o, pool: { ...o.pool, srcNets: o.pool.srcNets.length, dstNets: o.pool.dstNets.length } }).toEqual({
      target: { host: "127.0.0.1", port: 2055, family: 4 },
      fps: 10000,
      durationS: 0,
      count: 0,
      exporters: 1,
      refresh: { every: 20, intervalMs: 30000 },
      pool: {
        version: 9, records: 29, datagrams: 1024, seed: 1, srcNets: 1, dstNets: 2, hostsSrc: 10000, hostsDst: 10000,
        zipf: 0, webShare: 0.5, octetsMin: 64, octetsMax: 1500,
      },
    });
    expect(parseGenArgs({ to: "127.0.0.1:2055", version: "5" }).pool.records).toBe(30);
    expect(parseGenArgs({ to: "127.0.0.1:2055", duration: "2m" }).durationS).toBe(120);
    expect(parseGenArgs({ to: "127.0.0.1:2055", duration: "1.5" }).durationS).toBe(1.5);
    expect(parseGenArgs({ to: "127.0.0.1:2055", octets: "1000" }).pool).toMatchObject({ octetsMin: 1000, octetsMax: 1000 });
  });
  test("errors name the flag", () => {
    const to = "127.0.0.1:2055";
    expect(() => parseGenArgs({})).toThrow("--to HOST:PORT is required");
    expect(() => parseGenArgs({ to, version: "7" })).toThrow("--version must be 5, 9, 10 or sflow");
    expect(() => parseGenArgs({ to, fps: "-1" })).toThrow("--fps must be an integer in 0..1000000000");
    expect(() => parseGenArgs({ to, records: "31" })).toThrow("--records must be an integer in 1..30");
    expect(() => parseGenArgs({ to, zipf: "x" })).toThrow("--zipf must be a number");
    expect(() => parseGenArgs({ to, duration: "soon" })).toThrow("--duration must be seconds");
    expect(() => parseGenArgs({ to, octets: "10-5" })).toThrow("--octets must be N or MIN-MAX");
  });
});
