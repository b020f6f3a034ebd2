// TOML syntax errors as one plain sentence. The `toml` package throws either a grammar error (a
// position and every character the grammar would have taken there) or a compiler error (a key
// defined twice, a bad date or escape); neither says what the user got wrong. So the text is
// scanned up to the error to see what was open there (a string, an array, an inline table, a table
// header) and whose value it was, and the sentence says that, located where it starts.
import type { ConfigIssue } from "../errors.ts";

/** What the `toml` package throws: peggy's SyntaxError, or an Error with line and column. */
interface TomlError {
  message: string;
  found?: string | null;
  expected?: readonly { type: string; text?: string }[];
  location?: { start: { offset: number } };
  line?: number;
  column?: number;
}

/** What the text holds just before the error's offset. */
interface Scan {
  /** The key of the line's key/value pair, as written (possibly cut short by the error). */
  key: string | null;
  /** Offset of that pair's value, once past its `=`; -1 before. */
  value: number;
  /** The value was complete before the error: something else follows it on its line. */
  done: boolean;
  /** Offset of an unclosed table header (`[` or `[[`), or -1. */
  header: number;
  /** The string open at the error: its quotes and where it starts. */
  string: { quote: string; at: number } | null;
  /** Arrays and inline tables open at the error, innermost last. */
  open: { close: "]" | "}"; at: number }[];
}

const QUOTES = ['"""', "'''", '"', "'"];

function scan(text: string, end: number): Scan {
  const s: Scan = { key: null, value: -1, done: false, header: -1, string: null, open: [] };
  let i = 0;
  let bare = false; // inside a value's unquoted token (a number, a boolean, a mistake)
  const newPair = () => Object.assign(s, { key: null, value: -1, done: false, header: -1 });
  while (i < end) {
    const c = text[i]!;
    if (s.string) {
      const q = s.string.quote;
      if (c === "\\" && q[0] === '"') i += 2;
      else if (text.startsWith(q, i)) {
        i += q.length;
        s.string = null;
        if (s.open.length === 0) s.done = true;
      } else i++;
      continue;
    }
    if (c === "#") {
      while (i < end && text[i] !== "\n") i++;
      continue;
    }
    if (c === "\n" && s.open.length === 0) {
      newPair();
      bare = false;
      i++;
      continue;
    }
    if (s.value < 0 && s.header < 0 && s.key === null) {
      // The start of a line: a table header, a key, or nothing.
      if (c === " " || c === "\t" || c === "\r") i++;
      else if (c === "[") {
        s.header = i;
        const close = text.startsWith("[[", i) ? "]]" : "]";
        while (i < end && !text.startsWith(close, i) && text[i] !== "\n") i++;
        if (i < end && text.startsWith(close, i)) s.header = -1;
        while (i < end && text[i] !== "\n") i++;
      } else {
        const from = i;
        while (i < end && text[i] !== "=" && text[i] !== "\n") i++;
        s.key = text.slice(from, i).trim();
        if (text[i] === "=" && i < end) {
          i++;
          while (i < end && (text[i] === " " || text[i] === "\t")) i++;
          s.value = i;
        }
      }
      continue;
    }
    const quote = QUOTES.find((q) => text.startsWith(q, i));
    if (quote) {
      s.string = { quote, at: i };
      i += quote.length;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      if (bare && s.open.length === 0) s.done = true;
      bare = false;
    } else if (c === "[" || c === "{") s.open.push({ close: c === "[" ? "]" : "}", at: i });
    else if (c === "]" || c === "}") {
      s.open.pop();
      if (s.open.length === 0) s.done = true;
    } else bare = c !== ",";
    i++;
  }
  return s;
}

const what = (found: string | null | undefined): string =>
  found === null || found === undefined ? "end of file" : found === "\n" || found === "\r" ? "end of line" : `\`${found}\``;

/** The unquoted word at `at` (a mistaken value), with where it starts. */
function wordAt(text: string, at: number): { word: string; at: number } {
  const stop = /[\s,\]}#]/;
  let from = at;
  while (from > 0 && !stop.test(text[from - 1]!) && text[from - 1] !== "=" && text[from - 1] !== "[") from--;
  let to = at;
  while (to < text.length && !stop.test(text[to]!)) to++;
  return { word: text.slice(from, to), at: from };
}

function lineFrom(text: string, offset: number): string {
  const end = text.indexOf("\n", offset);
  return text.slice(offset, end < 0 ? text.length : end);
}

function position(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, col: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

function offsetOf(text: string, line: number, col: number): number {
  let o = 0;
  for (let l = 1; l < line; l++) o = text.indexOf("\n", o) + 1;
  return o + col - 1;
}

/** The one located sentence for an error thrown by toml.parse(text). */
export function syntaxIssue(file: string, text: string, err: unknown): ConfigIssue {
  const e = err as TomlError;
  const offset = e.location?.start.offset ?? offsetOf(text, e.line ?? 1, e.column ?? 1);
  const s = scan(text, offset);
  const at = (o: number, message: string): ConfigIssue => ({ file, ...position(text, o), message });
  const key = `\`${s.key}\``;
  const of = s.key && s.value >= 0 ? ` in the value of ${key}` : "";

  const twice = /^Cannot redefine existing key '(.*)'\.$/.exec(e.message);
  if (twice) return at(offset, text.slice(offset).trimStart().startsWith("[") ? `table [${twice[1]}] is defined twice` : `\`${twice[1]}\` is defined twice${of}`);
  // The compiler's other errors (a bad date or escape) are plain already, but not located in a key.
  if (e.location === undefined) return at(offset, `${e.message.replace(/\.$/, "").replace(/^./, (c) => c.toLowerCase())}${of}`);

  const endOfLine = e.found === null || e.found === undefined || e.found === "\n" || e.found === "\r";
  if (s.string) return at(s.string.at, endOfLine ? `unterminated string${of}` : `a control character in a string${of}`);
  if (s.header >= 0) {
    const header = text.slice(s.header, offset).trim();
    return at(endOfLine ? s.header : offset, endOfLine ? `table header \`${header}\` is not closed with \`${header.startsWith("[[") ? "]]" : "]"}\`` : `unexpected ${what(e.found)} in table header \`${header}\``);
  }
  const open = s.open[s.open.length - 1];
  // An array or inline table still open where the file ends or the next key or table starts.
  if (open && (e.found === null || /^\s*(\[|[\w."'-]+\s*=)/.test(lineFrom(text, offset)))) {
    return at(open.at, `${open.close === "]" ? "array" : "inline table"}${of} is not closed with \`${open.close}\``);
  }
  if (s.value < 0 && !s.key && e.found === "=") return at(offset, "a key is missing before `=`");
  if (s.key && s.value < 0) return at(offset, `missing \`=\` after ${key}`);
  if (s.value < 0) return at(offset, `unexpected ${what(e.found)}`);
  if (offset === s.value && (endOfLine || e.found === "#")) return at(offset, `${key} has no value`);
  if (s.done && !open) return at(offset, `unexpected ${what(e.found)} after the value of ${key}`);
  if (open && !endOfLine && e.expected?.some((x) => x.text === ",")) return at(offset, `missing \`,\` before ${what(e.found)}${of}`);
  const word = wordAt(text, offset);
  if (word.word !== "" && !endOfLine) {
    // Only what cannot be a number, date or boolean gets the hint: words, addresses, paths.
    const hint = /^[+\-]?[\d._eE]+$/.test(word.word) ? "" : " (text must be in quotes)";
    return at(word.at, `invalid value \`${word.word}\` for ${key}${hint}`);
  }
  return at(offset, `unexpected ${what(e.found)}${of}`);
}
