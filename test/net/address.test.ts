import { expect, test } from "bun:test";
import { parseAddress, parseCidr } from "../../src/net/address.ts";
import { isLoopback, parseListen } from "../../src/net/listen.ts";

test("addresses and prefixes, normalised (RFC 5952 for IPv6)", () => {
  expect(parseCidr("2001:DB8:0:0:0:0:0:0/32")).toEqual({ family: 6, words: [0x20010db8, 0, 0, 0], bits: 32, text: "2001:db8::/32" });
  expect(parseCidr("0.0.0.0/0")).toEqual({ family: 4, words: [0, 0, 0, 0], bits: 0, text: "0.0.0.0/0" });
  expect(parseAddress("::ffff:192.0.2.1")).toEqual({ family: 6, words: [0, 0, 0xffff, 0xc0000201], bits: 128, text: "::ffff:192.0.2.1" }); // RFC 5952 section 5: mapped IPv4 in dotted form
  expect(parseAddress("1:0:0:2:0:0:0:3")).toMatchObject({ text: "1:0:0:2::3" });
  expect(parseCidr("10.0.0.1/31")).toBe('host bits set in "10.0.0.1/31" (did you mean "10.0.0.0/31"?)');
  for (const bad of ["1.2.3", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "::/129", "1.2.3.4/"]) {
    expect(typeof parseCidr(bad)).toBe("string");
  }
});

test("listen addresses and loopback", () => {
  expect(parseListen("[::1]:9655")).toEqual({ host: "::1", port: 9655 });
  expect(parseListen("collector.example:2055")).toEqual({ host: "collector.example", port: 2055 });
  expect(parseListen("1.2.3:2055")).toBe('expected HOST:PORT like "0.0.0.0:2055" or "[::]:4739", found "1.2.3:2055"');
  expect([isLoopback("127.1.2.3"), isLoopback("::1"), isLoopback("localhost"), isLoopback("0.0.0.0"), isLoopback("::")]).toEqual([
    true, true, true, false, false,
  ]);
});
