import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PIPE_BUF, linePieces, openFlowDump } from "../../src/flow/dump.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

function pieces(text: string, max: number): string[] {
  const buf = bytes(text);
  const out: string[] = [];
  linePieces(buf, buf.length, max, (from, to) => out.push(new TextDecoder().decode(buf.subarray(from, to))));
  return out;
}

describe("flow dump", () => {
  test("pieces for a pipe hold whole lines, at most max bytes unless one line is longer", () => {
    expect(pieces("aaa\nbb\ncccc\nd\n", 8)).toEqual(["aaa\nbb\n", "cccc\nd\n"]);
    expect(pieces("aaa\nbbbbbbbbbbbb\ncc\n", 8)).toEqual(["aaa\n", "bbbbbbbbbbbb\n", "cc\n"]);
    expect(pieces("0123456789\n", 4)).toEqual(["0123456789\n"]);
    expect(pieces("ab\n", 8)).toEqual(["ab\n"]);
    expect(pieces("", 8)).toEqual([]);
    const many = Array.from({ length: 500 }, (_, i) => `{"flow":${i},"pad":"${"x".repeat(i % 97)}"}\n`).join("");
    const p = pieces(many, PIPE_BUF);
    expect(p.join("")).toBe(many);
    for (const s of p) expect({ len: s.length <= PIPE_BUF, ends: s.endsWith("\n") }).toEqual({ len: true, ends: true });
  });

  test("lines reach the file at close, appended to what it held", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xf-dump-"));
    try {
      const file = join(dir, "flows.jsonl");
      for (const shared of [false, true]) {
        const d = openFlowDump(file, shared);
        const line = bytes(`{"shared":${shared}}\n`);
        d.lines.reserve(line.length);
        d.lines.buf.set(line, d.lines.pos);
        d.lines.pos += line.length;
        await d.close();
      }
      expect(readFileSync(file, "utf8")).toBe('{"shared":false}\n{"shared":true}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
