// Recursive-descent parser for the filter grammar of DESIGN.md section 3:
//   expr := term ("or" term)* ; term := factor ("and" factor)* ;
//   factor := "not" factor | "(" expr ")" | primitive
// One function per precedence level is what makes `not` > `and` > `or` hold by construction
// (xenoeye folds left to right and gets `a and b or c` wrong).

import type { FieldDef } from "../config/types.ts";
import type { Dir, FilterNode, MatchNode, Value } from "./ast.ts";
import { BUILTIN_FIELDS, KEYWORDS, TWO_WORD_FIELDS, lookupField } from "./fields.ts";
import { describe, lex, type Token } from "./lexer.ts";
import { PROTOCOLS } from "./names.ts";
import { closest } from "./suggest.ts";
import { parseValue } from "./values.ts";

export type ParseResult = { ok: true; ast: FilterNode } | { ok: false; col: number; message: string };

/** Unwinds the recursion to parseFilter; never escapes this module. */
class SyntaxFault extends Error {
  readonly col: number;
  constructor(col: number, message: string) {
    super(message);
    this.col = col;
  }
}

const DIRS: ReadonlySet<string> = new Set(["src", "dst", "in", "out"]);

function isWord(t: Token, w: string): boolean {
  return t.kind === "word" && t.text.toLowerCase() === w;
}

export function parseFilter(src: string, fields: readonly FieldDef[]): ParseResult {
  const lexed = lex(src);
  if (!lexed.ok) return lexed;
  const tokens = lexed.tokens;
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? tokens[tokens.length - 1]!;
  const next = (): Token => tokens[pos++] ?? tokens[tokens.length - 1]!;

  function expr(): FilterNode {
    let left = term();
    while (isWord(peek(), "or")) {
      next();
      left = { kind: "or", col: left.col, left, right: term() };
    }
    return left;
  }

  function term(): FilterNode {
    let left = factor();
    while (isWord(peek(), "and")) {
      next();
      left = { kind: "and", col: left.col, left, right: factor() };
    }
    return left;
  }

  function factor(): FilterNode {
    const t = peek();
    if (isWord(t, "not")) {
      next();
      return { kind: "not", col: t.col, arg: factor() };
    }
    if (t.kind === "(") {
      next();
      const inner = expr();
      const close = next();
      if (close.kind !== ")") {
        throw new SyntaxFault(close.col, `expected ")" to close "(" at col ${t.col}, found ${describe(close)}`);
      }
      return inner;
    }
    return primitive();
  }

  function unknownField(t: Token, dir: Dir | null): SyntaxFault {
    const names = [...BUILTIN_FIELDS.keys(), ...fields.map((f) => f.name), ...PROTOCOLS.keys(), ...KEYWORDS];
    const guess = closest(t.text, names);
    if (guess !== null) return new SyntaxFault(t.col, `unknown field ${describe(t)}; did you mean "${guess}"?`);
    if (dir !== null) return new SyntaxFault(t.col, `expected a field name after "${dir}", found ${describe(t)}`);
    return new SyntaxFault(t.col, `unknown field ${describe(t)}`);
  }

  function primitive(): MatchNode {
    const first = next();
    if (first.kind !== "word" || isWord(first, "and") || isWord(first, "or")) {
      throw new SyntaxFault(first.col, `expected a field name, "not" or "(", found ${describe(first)}`);
    }
    let dir: Dir | null = null;
    let t = first;
    if (DIRS.has(first.text.toLowerCase())) {
      dir = first.text.toLowerCase() as Dir;
      t = next();
      if (t.kind !== "word") throw new SyntaxFault(t.col, `expected a field name after "${dir}", found ${describe(t)}`);
    }
    const second = TWO_WORD_FIELDS.get(t.text.toLowerCase());
    if (second !== undefined && isWord(peek(), second)) {
      next();
      t = { ...t, text: `${t.text.toLowerCase()} ${second}` };
    }
    const spec = lookupField(t.text, fields);
    if (spec === null) {
      const proto = PROTOCOLS.get(t.text.toLowerCase());
      if (proto !== undefined) {
        if (dir !== null) throw new SyntaxFault(first.col, `"${dir}" does not apply to ${describe(t)}`);
        return { kind: "match", col: t.col, dir: null, field: "proto", values: [{ kind: "range", col: t.col, lo: proto, hi: proto }] };
      }
      throw unknownField(t, dir);
    }
    if (dir !== null && !spec.dirs.includes(dir)) {
      const hint = spec.name === "if" ? '; use "in if" or "out if"' : dir === "in" || dir === "out" ? '; "in" and "out" qualify only "if" and "role"' : "";
      throw new SyntaxFault(first.col, `"${dir}" does not apply to "${spec.name}"${hint}`);
    }
    const values: Value[] = [];
    for (;;) {
      const r = parseValue(next(), spec);
      if (!r.ok) throw new SyntaxFault(r.col, r.message);
      values.push(r.value);
      if (peek().kind !== ",") break;
      next();
    }
    return { kind: "match", col: first.col, dir, field: spec.name, values };
  }

  try {
    if (peek().kind === "end") return { ok: true, ast: { kind: "all", col: 1 } };
    const ast = expr();
    const rest = peek();
    if (rest.kind !== "end") {
      throw new SyntaxFault(rest.col, `expected "and", "or" or end of filter, found ${describe(rest)}`);
    }
    return { ok: true, ast };
  } catch (e) {
    if (e instanceof SyntaxFault) return { ok: false, col: e.col, message: e.message };
    throw e;
  }
}
