// Filter tokens. A word is any run of the characters that addresses, prefixes, ranges, names
// and hyphenated keywords are made of ("tcp-flags", "10.0.0.0/8", "2001:db8::/32", "80-90"),
// so the lexer never has to know which field it is in; the parser reads words in context.

export type TokenKind = "word" | "list" | "string" | "(" | ")" | "," | "end";

export interface Token {
  kind: TokenKind;
  /** word: as written; list: the name after "@"; string: the unescaped contents. */
  text: string;
  col: number; // 1-based
}

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; col: number; message: string };

const WORD = /[A-Za-z0-9_.:/\-]/;

export function lex(src: string): LexResult {
  const tokens: Token[] = [];
  let p = 0;
  while (p < src.length) {
    const c = src[p] ?? "";
    const col = p + 1;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      p++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c, text: c, col });
      p++;
    } else if (c === "@") {
      let e = p + 1;
      while (e < src.length && WORD.test(src[e] ?? "")) e++;
      if (e === p + 1) return { ok: false, col, message: 'expected a list name after "@"' };
      tokens.push({ kind: "list", text: src.slice(p + 1, e), col });
      p = e;
    } else if (c === '"') {
      let text = "";
      let e = p + 1;
      for (;;) {
        const d = src[e];
        if (d === undefined) return { ok: false, col, message: "unterminated string" };
        if (d === '"') break;
        if (d === "\\" && (src[e + 1] === '"' || src[e + 1] === "\\")) e++;
        text += src[e];
        e++;
      }
      tokens.push({ kind: "string", text, col });
      p = e + 1;
    } else if (WORD.test(c)) {
      let e = p + 1;
      while (e < src.length && WORD.test(src[e] ?? "")) e++;
      tokens.push({ kind: "word", text: src.slice(p, e), col });
      p = e;
    } else {
      return { ok: false, col, message: `unexpected character ${JSON.stringify(c)}` };
    }
  }
  tokens.push({ kind: "end", text: "", col: src.length + 1 });
  return { ok: true, tokens };
}

/** How an error message names a token it did not expect. */
export function describe(t: Token): string {
  if (t.kind === "end") return "end of filter";
  if (t.kind === "list") return `"@${t.text}"`;
  return JSON.stringify(t.text);
}
