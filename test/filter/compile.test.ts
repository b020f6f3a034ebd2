import { describe, expect, test } from "bun:test";
import { XenoflowError } from "../../src/errors.ts";
import { compileFilter, compileSelect, parseFilter } from "../../src/filter/index.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { ctx, FIELDS, fixtureBatch, hits } from "./fixture.ts";

// Each case lists the fixture records (fixture.ts) the filter must match; every other record
// must be rejected, so each line checks both directions.

describe("addresses", () => {
  test.each([
    ["host 10.1.2.3", [0]],
    ["host 10.9.9.9", [1]],
    ["src host 10.9.9.9", []],
    ["dst host 10.9.9.9", [1]],
    ["host 2001:db8::1", [2]],
    ["host 2001:DB8:0:0:0:0:0:1", [2]],
    ["src host 2001:db8::1, 198.51.100.7", [2, 4]],
    ["net 10.0.0.0/8", [0, 1]],
    ["src net 10.0.0.0/8", [0]],
    ["dst net 10.0.0.0/8", [1]],
    ["net 192.0.2.0/24", [0]],
    ["net 10.1.2.3", [0]],
    ["net 0.0.0.0/0", [0, 1, 4]],
    ["net ::/0", [2, 3]],
    ["net 2001:db8::/32", [2]],
    ["dst net 2001:db8:ffff::/48", [2]],
    ["src net 2001:db8:ffff::/48", []],
    ["net 2001:db8::/127", [2]],
    ["net 2001:db8::/128", []],
    ["net fe80::/10", [3]],
    ["net ff00::/8", [3]],
    ["net 2001:db8:8000::/33", [2]],
    ["net 10.0.0.0/8, 2001:db8::/32", [0, 1, 2]],
    ["net @private", [0, 1]],
    ["src net @private", [0, 1]],
    ["dst net @private", [1]],
    ["host @docs6", [2, 4]],
    ["dst host @docs6", []],
    ["net @empty", []],
    ["net @private, 203.0.113.0/24", [0, 1, 4]],
    ["exporter 192.0.2.1", [0, 3]],
    ["exporter 192.0.2.2/31", [1, 4, 5]],
    ["exporter 2001:db8::/64", [2]],
    ["exporter @docs6", [2]],
  ] as const)("%s", (f, want) => expect(hits(f)).toEqual([...want]));
});

describe("numbers", () => {
  test.each([
    ["port 80", [0]],
    ["port http", [0]],
    ["port HTTPS", [2]],
    ["src port 443", [2]],
    ["dst port 443", []],
    ["dst port 80", [0]],
    ["port 53", [1]],
    ["src port dns", [1]],
    ["port 0x50", [0]],
    ["port 0", [3, 4, 5]],
    ["dst port 30000-40000", [1]],
    ["port 40000-65535", [0, 2]],
    ["port ssh, http, 0x35", [0, 1]],
    ["proto 6", [0, 2]],
    ["proto tcp", [0, 2]],
    ["proto UDP", [1]],
    ["proto icmp6", [3]],
    ["proto ipv6-icmp", [3]],
    ["proto 47-58", [3, 4]],
    ["proto gre, 0", [4, 5]],
    ["tcp", [0, 2]],
    ["udp", [1]],
    ["gre", [4]],
    ["icmp", []],
    ["as 64500", [0, 1]],
    ["src as 64500", [0]],
    ["dst as 64500", [1]],
    ["as 64496-64511", [0, 1, 2, 4]],
    ["dst as 15169", [0]],
    ["if 1", [0, 2]],
    ["in if 1", [0]],
    ["out if 1", [2]],
    ["in if 2-3", [1, 3]],
    ["if 7", [4]],
    ["out if 0", [3, 5]],
    ["tos 0xb8", [1]],
    ["tos 16-255", [1, 4]],
    ["vlan 100", [0]],
    ["vlan 100-200", [0, 1]],
    ["vlan 4095", [3]],
    ["domain 7", [1, 4]],
    ["domain 256", [2]],
    ["domain 0x100, 0", [0, 2, 3, 5]],
    ["sampler 3", [1]],
    ["sampler 1-10", [1, 2]],
  ] as const)("%s", (f, want) => expect(hits(f)).toEqual([...want]));
});

describe("tcp-flags", () => {
  // Names test one bit; numbers and ranges compare the whole flags value.
  test.each([
    ["tcp-flags syn", [0, 2]],
    ["tcp-flags ack", [2, 4]],
    ["tcp-flags fin", [4]],
    ["tcp-flags SYN and not tcp-flags ack", [0]],
    ["tcp-flags 0x12", [2]],
    ["tcp-flags 2", [0]],
    ["tcp-flags 0x10-0x11", [4]],
    ["tcp-flags rst, 0x11", [4]],
    ["tcp-flags 0", [1, 3, 5]],
  ] as const)("%s", (f, want) => expect(hits(f)).toEqual([...want]));
});

describe("config [[field]]s", () => {
  test.each([
    ["vrf 5", [0]],
    ["vrf 5-6", [0, 1]],
    ["vrf 0x1000", [2]],
    ["VRF 4096, 6", [1, 2]],
    ["not vrf 0-10", [2, 3, 4, 5]], // absent values match no number, so `not` includes them
    ["nexthop 10.255.0.1", [0]],
    ["nexthop 2001:db8::/64", [1]],
    ["nexthop @private", [0]],
    ["srcmac 00:50:56:9a:0b:0c", [0]],
    ["srcmac AA-BB-CC-DD-EE-FF, 00:00:00:00:00:01", [1]],
    ["app http", [0]],
    ['app "dns", "ntp"', [1]],
    ["tenant http", [1]],
    ["tenant blue or app dns", [0, 1]],
  ] as const)("%s", (f, want) => expect(hits(f)).toEqual([...want]));
});

describe("either side and boolean structure", () => {
  test.each([
    ["host 10.1.2.3 or host 10.9.9.9", [0, 1]],
    ["src host 10.1.2.3 or dst host 10.9.9.9", [0, 1]],
    ["src host 10.9.9.9 or dst host 10.1.2.3", []],
    ["dst port 80 or proto 6", [0, 2]],
    ["dst port 80 or proto 17", [0, 1]],
    ["tcp and port 80 or udp and port 53", [0, 1]],
    ["tcp and (port 80 or udp) and port 53", []],
    ["not tcp and port 0", [3, 4, 5]],
    ["not (tcp and port 80)", [1, 2, 3, 4, 5]],
    ["not not tcp", [0, 2]],
    ["not host 10.1.2.3", [1, 2, 3, 4, 5]],
    ["", [0, 1, 2, 3, 4, 5]],
  ] as const)("%s", (f, want) => expect(hits(f)).toEqual([...want]));
});

describe("compile", () => {
  test("asks for each @list once and passes its errors through", () => {
    const asked: string[] = [];
    const r = parseFilter("src net @private or dst net @private", FIELDS);
    if (!r.ok) throw new Error(r.message);
    compileFilter(r.ast, { ...ctx, list: (n) => (asked.push(n), ctx.list(n)) });
    expect(asked).toEqual(["private"]);
    const bad = parseFilter("net @missing", FIELDS);
    if (!bad.ok) throw new Error(bad.message);
    const failing = () => {
      throw new XenoflowError("E_INPUT", "lists/missing: no such file");
    };
    expect(() => compileFilter(bad.ast, { ...ctx, list: failing })).toThrow("lists/missing: no such file");
  });

  test("a @list with host bits set still matches the whole prefix", () => {
    const r = parseFilter("net @sloppy", []);
    if (!r.ok) throw new Error(r.message);
    const p = compileFilter(r.ast, { ...ctx, list: () => [{ family: 4, words: [0x0a0102ff, 0, 0, 0], bits: 24, text: "" }] });
    expect([0, 1, 2, 3, 4, 5].map((i) => p(fixtureBatch(), i))).toEqual([true, false, false, false, false, false]);
  });

  test("the selector filters a selection in place", () => {
    const r = parseFilter("tcp or gre", FIELDS);
    if (!r.ok) throw new Error(r.message);
    const select = compileSelect(r.ast, ctx);
    const sel = Uint32Array.of(5, 4, 2, 1, 0);
    expect(select(fixtureBatch(), sel, 5, sel)).toBe(3);
    expect([...sel]).toEqual([4, 2, 0, 1, 0]);
  });

  test("reads records beyond the first word block and across a full batch", () => {
    const b = createBatch();
    b.length = b.capacity;
    for (let i = 0; i < b.length; i++) {
      b.family[i] = i % 2 === 0 ? 4 : 6;
      b.srcAddr[i * 4] = i % 2 === 0 ? 0x0a000000 + i : 0x20010db8;
      b.srcAddr[i * 4 + 3] = i;
    }
    const r = parseFilter("src net 10.0.0.0/8 or src net 2001:db8::/32", []);
    if (!r.ok) throw new Error(r.message);
    const p = compileFilter(r.ast, ctx);
    let n = 0;
    for (let i = 0; i < b.length; i++) if (p(b, i)) n++;
    expect(n).toBe(b.capacity);
    const q = parseFilter("src net 2001:db8::fff/128", []);
    if (!q.ok) throw new Error(q.message);
    const one = compileFilter(q.ast, ctx);
    const found: number[] = [];
    for (let i = 0; i < b.length; i++) if (one(b, i)) found.push(i);
    expect(found).toEqual([0xfff]);
  });
});
