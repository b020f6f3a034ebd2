// Where each key and value sits in a TOML file. The `toml` package returns plain values without
// positions, so this scanner walks the (already syntax-checked) text once and records, for every
// key path ("mo[1].window[0].every", "collector.listen[2]"), the line and column of the key and of
// its value. It is lenient: on text the parser rejected it records what it can and never throws.

export interface Pos {
  line: number; // 1-based
  col: number; // 1-based
}

export interface Located {
  key: Pos;
  value: Pos;
}

export type SourceMap = ReadonlyMap<string, Located>;

/** The one way paths are built, here and in the validator, so that lookups match. */
export function joinPath(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

export function indexPath(prefix: string, i: number): string {
  return `${prefix}[${i}]`;
}

const BARE_KEY = /[A-Za-z0-9_-]/;

export function locate(text: string): SourceMap {
  const map = new Map<string, Located>();
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
  // Arrays of tables seen so far, by resolved path, with their element count.
  const arrays = new Map<string, number>();
  let i = 0;
  let table = "";

  const posAt = (at: number): Pos => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: at - (lineStarts[lo] ?? 0) + 1 };
  };
  const record = (path: string, key: Pos, value: Pos): void => {
    if (!map.has(path)) map.set(path, { key, value });
  };
  const ch = (): string => text[i] ?? "";
  const skipBlank = (newlines: boolean): void => {
    while (i < text.length) {
      const c = ch();
      if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n")) i++;
      else if (c === "#") while (i < text.length && ch() !== "\n") i++;
      else break;
    }
  };
  const skipLine = (): void => {
    while (i < text.length && ch() !== "\n") i++;
    i++;
  };
  const quoted = (q: string, escapes: boolean): string => {
    let s = "";
    i++;
    while (i < text.length && ch() !== q && ch() !== "\n") {
      if (escapes && ch() === "\\") {
        s += text.slice(i, i + 2);
        i += 2;
      } else s += text[i++];
    }
    i++;
    return s;
  };
  // A dotted key; returns its segments and the start of each.
  const readKey = (): { segs: string[]; starts: number[] } => {
    const segs: string[] = [];
    const starts: number[] = [];
    for (;;) {
      skipBlank(false);
      starts.push(i);
      if (ch() === '"') segs.push(quoted('"', true));
      else if (ch() === "'") segs.push(quoted("'", false));
      else {
        const from = i;
        while (i < text.length && BARE_KEY.test(ch())) i++;
        segs.push(text.slice(from, i));
      }
      skipBlank(false);
      if (ch() !== ".") return { segs, starts };
      i++;
    }
  };
  const multiline = (q: string): void => {
    i += 3;
    while (i < text.length && !text.startsWith(q + q + q, i)) i += q === '"' && ch() === "\\" ? 2 : 1;
    i += 3;
    while (ch() === q) i++; // up to two quotes may close the content
  };
  const value = (path: string): void => {
    const at = posAt(i);
    record(path, at, at);
    const c = ch();
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) multiline(c);
    else if (c === '"') quoted('"', true);
    else if (c === "'") quoted("'", false);
    else if (c === "[") {
      i++;
      for (let n = 0; ; n++) {
        skipBlank(true);
        if (ch() === "]" || i >= text.length) break;
        value(indexPath(path, n));
        skipBlank(true);
        if (ch() === ",") i++;
      }
      i++;
    } else if (c === "{") {
      i++;
      for (;;) {
        skipBlank(true);
        if (ch() === "}" || i >= text.length) break;
        keyValue(path);
        skipBlank(true);
        if (ch() === ",") i++;
      }
      i++;
    } else while (i < text.length && !/[\s,\]}#]/.test(ch())) i++;
  };
  const keyValue = (prefix: string): void => {
    const { segs, starts } = readKey();
    let path = prefix;
    segs.forEach((seg, n) => {
      path = joinPath(path, seg);
      const p = posAt(starts[n] ?? i);
      record(path, p, p);
    });
    skipBlank(false);
    if (ch() !== "=") return;
    i++;
    skipBlank(false);
    const keyPos = posAt(starts[0] ?? i);
    const valuePos = posAt(i);
    map.set(path, { key: keyPos, value: valuePos });
    value(path);
  };
  const header = (): void => {
    const isArray = text.startsWith("[[", i);
    i += isArray ? 2 : 1;
    const { segs, starts } = readKey();
    let path = "";
    segs.forEach((seg, n) => {
      path = joinPath(path, seg);
      const last = n === segs.length - 1;
      const count = arrays.get(path);
      if (last && isArray) {
        arrays.set(path, (count ?? 0) + 1);
        path = indexPath(path, count ?? 0);
      } else if (count !== undefined) path = indexPath(path, count - 1);
      const p = posAt(starts[n] ?? i);
      record(path, p, p);
    });
    table = path;
  };

  while (i < text.length) {
    skipBlank(true);
    if (i >= text.length) break;
    if (ch() === "[") header();
    else keyValue(table);
    skipLine();
  }
  return map;
}
