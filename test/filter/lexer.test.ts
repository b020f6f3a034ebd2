import { expect, test } from "bun:test";
import { lex } from "../../src/filter/lexer.ts";

test("words keep addresses, prefixes, ranges and hyphenated names whole", () => {
  expect(lex('(src net 2001:db8::/32,10.0.0.0/8) and tcp-flags 0x10-0x12 or app "a \\"b\\"" or net @edge_v4')).toEqual({
    ok: true,
    tokens: [
      { kind: "(", text: "(", col: 1 },
      { kind: "word", text: "src", col: 2 },
      { kind: "word", text: "net", col: 6 },
      { kind: "word", text: "2001:db8::/32", col: 10 },
      { kind: ",", text: ",", col: 23 },
      { kind: "word", text: "10.0.0.0/8", col: 24 },
      { kind: ")", text: ")", col: 34 },
      { kind: "word", text: "and", col: 36 },
      { kind: "word", text: "tcp-flags", col: 40 },
      { kind: "word", text: "0x10-0x12", col: 50 },
      { kind: "word", text: "or", col: 60 },
      { kind: "word", text: "app", col: 63 },
      { kind: "string", text: 'a "b"', col: 67 },
      { kind: "word", text: "or", col: 77 },
      { kind: "word", text: "net", col: 80 },
      { kind: "list", text: "edge_v4", col: 84 },
      { kind: "end", text: "", col: 92 },
    ],
  });
});

test("tabs and newlines separate tokens; the end token sits after the last character", () => {
  expect(lex("tcp\n\tor\r\n::1")).toEqual({
    ok: true,
    tokens: [
      { kind: "word", text: "tcp", col: 1 },
      { kind: "word", text: "or", col: 6 },
      { kind: "word", text: "::1", col: 10 },
      { kind: "end", text: "", col: 13 },
    ],
  });
});

test("characters outside the language are refused where they stand", () => {
  expect(lex("port 80 | port 443")).toEqual({ ok: false, col: 9, message: 'unexpected character "|"' });
  expect(lex("!tcp")).toEqual({ ok: false, col: 1, message: 'unexpected character "!"' });
});
