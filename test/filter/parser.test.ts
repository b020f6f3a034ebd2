import { describe, expect, test } from "bun:test";
import { checkFilter, formatFilter, formatFilterError, isReservedName, parseFilter } from "../../src/filter/index.ts";
import { FIELDS, hits } from "./fixture.ts";

function shape(src: string): string {
  const r = parseFilter(src, FIELDS);
  if (!r.ok) throw new Error(`col ${r.col}: ${r.message}`);
  return formatFilter(r.ast);
}

describe("AST", () => {
  test("src host A or dst host B: two sided primitives under one or", () => {
    expect(parseFilter("src host 10.1.2.3 or dst host 2001:db8::2", [])).toEqual({
      ok: true,
      ast: {
        kind: "or",
        col: 1,
        left: {
          kind: "match",
          col: 1,
          dir: "src",
          field: "host",
          values: [{ kind: "cidr", col: 10, cidr: { family: 4, words: [0x0a010203, 0, 0, 0], bits: 32, text: "10.1.2.3" } }],
        },
        right: {
          kind: "match",
          col: 22,
          dir: "dst",
          field: "host",
          values: [{ kind: "cidr", col: 31, cidr: { family: 6, words: [0x20010db8, 0, 0, 2], bits: 128, text: "2001:db8::2" } }],
        },
      },
    });
  });

  test("proto tcp and the tcp shorthand give the same node", () => {
    const value = { kind: "range", lo: 6, hi: 6 };
    expect(parseFilter("proto tcp", [])).toEqual({
      ok: true,
      ast: { kind: "match", col: 1, dir: null, field: "proto", values: [{ ...value, col: 7 }] },
    } as never);
    expect(parseFilter("  TCP", [])).toEqual({
      ok: true,
      ast: { kind: "match", col: 3, dir: null, field: "proto", values: [{ ...value, col: 3 }] },
    } as never);
  });

  test("values of every kind", () => {
    expect(parseFilter("tcp-flags syn, 0x12, 1-3", [])).toEqual({
      ok: true,
      ast: {
        kind: "match",
        col: 1,
        dir: null,
        field: "tcp-flags",
        values: [
          { kind: "flag", col: 11, name: "syn", mask: 2 },
          { kind: "range", col: 16, lo: 18, hi: 18 },
          { kind: "range", col: 22, lo: 1, hi: 3 },
        ],
      },
    });
    expect(parseFilter('net @blocked or app "a b" or srcmac 00:11:22:33:44:55', FIELDS)).toEqual({
      ok: true,
      ast: {
        kind: "or",
        col: 1,
        left: {
          kind: "or",
          col: 1,
          left: { kind: "match", col: 1, dir: null, field: "net", values: [{ kind: "list", col: 5, name: "blocked" }] },
          right: { kind: "match", col: 17, dir: null, field: "app", values: [{ kind: "string", col: 21, value: "a b" }] },
        },
        right: { kind: "match", col: 30, dir: null, field: "srcmac", values: [{ kind: "mac", col: 37, value: 0x001122334455 }] },
      },
    });
  });

  test("dns name (two words) and sni: string fields of the sFlow payload names", () => {
    expect(parseFilter("DNS Name example.com, \"a b\" or sni www.example.org", [])).toEqual({
      ok: true,
      ast: {
        kind: "or", col: 1,
        left: { kind: "match", col: 1, dir: null, field: "dns name", values: [{ kind: "string", col: 10, value: "example.com" }, { kind: "string", col: 23, value: "a b" }] },
        right: { kind: "match", col: 32, dir: null, field: "sni", values: [{ kind: "string", col: 36, value: "www.example.org" }] },
      },
    });
    expect(parseFilter("dns example.com", [])).toMatchObject({ ok: false, col: 1 });
    expect(isReservedName("sni")).toBe(true);
  });

  test("empty and blank filters match everything", () => {
    expect(parseFilter("", [])).toEqual({ ok: true, ast: { kind: "all", col: 1 } });
    expect(parseFilter(" \t ", [])).toEqual({ ok: true, ast: { kind: "all", col: 1 } });
  });

  test.each([
    ["dst port 80 or proto 6", "(dst port 80 or proto 6)"],
    ["tcp and port 80 or udp and port 53", "((proto 6 and port 80) or (proto 17 and port 53))"],
    ["tcp AND port 80 Or udp aNd port 53", "((proto 6 and port 80) or (proto 17 and port 53))"],
    ["not tcp and port 80", "(not proto 6 and port 80)"],
    ["not (tcp and port 80)", "not (proto 6 and port 80)"],
    ["tcp or udp or gre", "((proto 6 or proto 17) or proto 47)"],
    ["tcp or udp and gre", "(proto 6 or (proto 17 and proto 47))"],
    ["not not tcp", "not not proto 6"],
    ["((tcp))", "proto 6"],
    ["in if 3 and out if 4", "(in if 3 and out if 4)"],
    ["SRC NET 10.0.0.0/8", "src net 10.0.0.0/8"],
    ["net 2001:DB8::/32", "net 2001:db8::/32"],
    ["port ssh,http , 8000-8080", "port 22,80,8000-8080"],
    ["vrf 0x0a", "vrf 10"],
  ])("%s  =>  %s", (src, want) => expect(shape(src)).toBe(want));

  test("precedence is the same when evaluated", () => {
    expect(hits("tcp and port 80 or udp and port 53")).toEqual(hits("(tcp and port 80) or (udp and port 53)"));
    expect(hits("tcp and port 80 or udp and port 53")).toEqual([0, 1]);
    expect(hits("tcp and (port 80 or udp) and port 53")).toEqual([]);
    expect(hits("not tcp and port 0")).toEqual(hits("(not tcp) and port 0"));
    expect(hits("not (udp or port 80)")).toEqual([2, 3, 4, 5]);
  });
});

describe("errors", () => {
  test.each([
    ["net foo", 5, 'expected an address or CIDR after "net", found "foo"'],
    ["tcp and net 10.0.0.1/8", 13, 'host bits set in "10.0.0.1/8" (did you mean "10.0.0.0/8"?)'],
    ["net 10.0.0.0/33", 5, 'prefix length must be 0..32, found "33" in "10.0.0.0/33"'],
    ["prot 6", 1, 'unknown field "prot"; did you mean "proto"?'],
    ["tcp and pott 80", 9, 'unknown field "pott"; did you mean "port"?'],
    ["vfr 5", 1, 'unknown field "vfr"; did you mean "vrf"?'],
    ["frobnicate 5", 1, 'unknown field "frobnicate"'],
    ["src 10.0.0.1", 5, 'expected a field name after "src", found "10.0.0.1"'],
    ["src if 3", 1, '"src" does not apply to "if"; use "in if" or "out if"'],
    ["in port 80", 1, '"in" does not apply to "port"; "in" and "out" qualify only "if" and "role"'],
    ["dst proto 6", 1, '"dst" does not apply to "proto"'],
    ["src tcp", 1, '"src" does not apply to "tcp"'],
    ["src vrf 5", 1, '"src" does not apply to "vrf"'],
    ["host 10.0.0.0/8", 6, 'expected an address after "host", found "10.0.0.0/8"; use "net" for a prefix'],
    ["port 70000", 6, '"70000" is out of range for "port" (0-65535)'],
    ["vlan 4096", 6, '"4096" is out of range for "vlan" (0-4095)'],
    ["port 90-80", 6, 'range "90-80" is empty: its start is above its end'],
    ["port 80-", 6, 'expected a port number, range or name after "port", found "80-"'],
    ["port nosuch", 6, 'expected a port number, range or name after "port", found "nosuch"'],
    ["proto 6 or proto bogus", 18, 'expected a protocol number, range or name after "proto", found "bogus"'],
    ["as 1.5", 4, 'expected a number or range after "as", found "1.5"'],
    ["tcp-flags sin", 11, 'expected a number, range or TCP flag name after "tcp-flags", found "sin"'],
    ["srcmac 00:11:22", 8, 'expected a MAC address after "srcmac", found "00:11:22"'],
    ["port @web", 6, 'expected a port number, range or name after "port", found "@web"'],
    ["port", 5, 'expected a port number, range or name after "port", found end of filter'],
    ["port 80,", 9, 'expected a port number, range or name after "port", found end of filter'],
    ["port and tcp", 6, 'expected a port number, range or name after "port", found "and"'],
    ["tcp and", 8, 'expected a field name, "not" or "(", found end of filter'],
    ["not", 4, 'expected a field name, "not" or "(", found end of filter'],
    ["tcp or or udp", 8, 'expected a field name, "not" or "(", found "or"'],
    ["(tcp or udp", 12, 'expected ")" to close "(" at col 1, found end of filter'],
    ["tcp and (udp gre)", 14, 'expected ")" to close "(" at col 9, found "gre"'],
    ["tcp)", 4, 'expected "and", "or" or end of filter, found ")"'],
    ["tcp udp", 5, 'expected "and", "or" or end of filter, found "udp"'],
    ["()", 2, 'expected a field name, "not" or "(", found ")"'],
    ["tcp && udp", 5, 'unexpected character "&"'],
    ["app \"open", 5, "unterminated string"],
    ["net @", 5, 'expected a list name after "@"'],
  ] as const)("%s", (src, col, message) => {
    expect(parseFilter(src, FIELDS)).toEqual({ ok: false, col, message });
    expect(checkFilter(src, FIELDS)).toEqual({ col, message });
  });

  test("a [[field]] is unknown to a filter parsed without it", () => {
    expect(checkFilter("vrf 5", [])).toEqual({ col: 1, message: 'unknown field "vrf"' });
  });

  test("checkFilter accepts valid filters and formatFilterError makes one line", () => {
    expect(checkFilter("tcp and dst port 443", [])).toBeNull();
    expect(formatFilterError({ col: 12, message: "boom" })).toBe("col 12: boom");
  });
});

test("names a [[field]] must not take", () => {
  expect(["host", "TCP-FLAGS", "not", "in", "gre", "ipv6-icmp", "vrf", "app"].map(isReservedName)).toEqual([
    true, true, true, true, true, true, false, false,
  ]);
});
