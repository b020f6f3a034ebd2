import { expect, test } from "bun:test";
import { addrSetHas, createAddrSet } from "../../src/filter/addrset.ts";
import { cidr } from "./fixture.ts";

const words = (...w: number[]) => Uint32Array.from(w);

test("IPv4 prefixes merge into disjoint intervals and are found by bisection", () => {
  const s = createAddrSet(["10.0.0.0/9", "10.128.0.0/9", "192.168.1.0/24", "192.168.2.0/24", "10.5.0.0/16"].map(cidr));
  expect([...s.v4Lo]).toEqual([0x0a000000, 0xc0a80100]);
  expect([...s.v4Hi]).toEqual([0x0affffff, 0xc0a802ff]);
  const has = (a: number) => addrSetHas(s, 4, words(a, 0, 0, 0), 0);
  expect([0x09ffffff, 0x0a000000, 0x0affffff, 0x0b000000, 0xc0a800ff, 0xc0a80100, 0xc0a802ff, 0xc0a80300].map(has)).toEqual([
    false, true, true, false, false, true, true, false,
  ]);
  expect(addrSetHas(s, 6, words(0x0a000000, 0, 0, 0), 0)).toBe(false);
  expect(addrSetHas(s, 0, words(0x0a000000, 0, 0, 0), 0)).toBe(false);
});

test("IPv6 intervals compare all four words, at any offset", () => {
  const s = createAddrSet(["2001:db8::/32", "2001:db9::/32", "fe80::/10", "::1/128", "0.0.0.0/0"].map(cidr));
  expect([...s.v6Lo]).toEqual([0, 0, 0, 1, 0x20010db8, 0, 0, 0, 0xfe800000, 0, 0, 0]);
  expect([...s.v6Hi]).toEqual([0, 0, 0, 1, 0x20010db9, 0xffffffff, 0xffffffff, 0xffffffff, 0xfebfffff, 0xffffffff, 0xffffffff, 0xffffffff]);
  const has = (...w: number[]) => addrSetHas(s, 6, words(7, 7, 7, 7, ...w), 4);
  expect(has(0, 0, 0, 1)).toBe(true);
  expect(has(0, 0, 0, 2)).toBe(false);
  expect(has(0x20010db9, 0xffffffff, 0xffffffff, 0xffffffff)).toBe(true);
  expect(has(0x20010dba, 0, 0, 0)).toBe(false);
  expect(has(0xfebfffff, 1, 2, 3)).toBe(true);
  expect(has(0xfec00000, 0, 0, 0)).toBe(false);
  expect(addrSetHas(s, 4, words(0xffffffff, 0, 0, 0), 0)).toBe(true);
});
