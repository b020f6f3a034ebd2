// Issue 4: a bad configuration fails `xenoflow check` and `xenoflow run` alike — exit code 1 and
// the same located `FILE:LINE:COL: message` lines on stderr, nothing else — so that what check
// accepts is exactly what run starts with. Each case marks the spot the error must point at
// with ‸ (removed before writing); the expected line and column are computed from it.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, MAIN, freeUdpPort } from "../support/collector.ts";

const dir = mkdtempSync(join(tmpdir(), "xf-e2e-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MARK = "‸";

/** Writes `text` without its marks; returns the `line:col` of each mark, in order (1-based). */
function writeMarked(file: string, text: string): string[] {
  const at: string[] = [];
  let clean = "";
  for (const ch of text) {
    if (ch === MARK) {
      const lines = clean.split("\n");
      at.push(`${lines.length}:${(lines.at(-1) ?? "").length + 1}`);
    } else clean += ch;
  }
  writeFileSync(file, clean);
  return at;
}

async function head(port: number): Promise<string> {
  return `data_dir = "${join(dir, "var")}"\n[collector]\nlisten = ["127.0.0.1:${port}"]\n[http]\nlisten = ""\n`;
}

const WINDOW = `  [[mo.window]]\n  name = "w"\n  every = "1h"\n  key = ["proto"]\n  values = ["octets"]\n`;

async function spawn(cmd: "check" | "run", config: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", NO_COLOR: "1", HOME: dir };
  // A run that wrongly starts would listen forever: the kill makes that a failure, not a hang.
  const p = Bun.spawn([BUN, MAIN, cmd, "-c", config], { stdout: "pipe", stderr: "pipe", env, timeout: 15_000, killSignal: "SIGKILL" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

interface Case {
  name: string;
  /** Top-level keys that must come before the head's tables. */
  top?: string;
  /** The config after the common head; marks (‸) where each error must point. */
  body: string;
  /** One message per mark, in order: each stderr line is `FILE:LINE:COL: <message>`. */
  messages: readonly RegExp[];
  /** Extra files next to the config (for include), with their own marks; reported after the main file's. */
  files?: Record<string, { body: string; messages: readonly RegExp[] }>;
}

const CASES: Case[] = [
  {
    name: "malformed TOML: an unclosed array",
    body: `[[mo]]\nname = "all"\nfilter = ‸["tcp"\n[[mo.window]]\n`,
    messages: [/^array in the value of `filter` is not closed with `\]`$/],
  },
  {
    name: "malformed TOML: a string that never ends",
    body: `[[mo]]\nname = ‸"all\n`,
    messages: [/^unterminated string in the value of `name`$/],
  },
  {
    name: "an unknown filter field, with a suggestion",
    body: `[[mo]]\nname = "all"\nfilter = "proto tcp and src ‸hots 10.0.0.1"\n${WINDOW}`,
    messages: [/^filter: unknown field "hots"; did you mean "host"\?$/],
  },
  {
    name: "an unknown filter field in a nested object's filter",
    body: `[[mo]]\nname = "all"\n${WINDOW}[[mo]]\nname = "web"\nparent = "all"\nfilter = "dst port 80 or ‸colour red"\n${WINDOW}`,
    messages: [/^filter: unknown field "colour"/],
  },
  {
    name: "a filter that ends too early",
    body: `[[mo]]\nname = "all"\nfilter = "proto tcp and‸"\n${WINDOW}`,
    messages: [/^filter: expected a field name, "not" or "\(", found end of filter$/],
  },
  {
    name: "an unknown filter field in an included file",
    top: `include = ["mo.d/*.toml"]\n`,
    body: "",
    messages: [],
    files: { "mo.d/web.toml": { body: `[[mo]]\nname = "web"\nfilter = "‸prot tcp"\n${WINDOW}`, messages: [/^filter: unknown field "prot"; did you mean "proto"\?$/] } },
  },
  {
    name: "bad window definitions: duration, key, value, unknown key",
    body: `[[mo]]\nname = "all"\n  [[mo.window]]\n  name = "w"\n  every = ‸"soon"\n  key = [‸"src net"]\n  values = [‸"bytes"]\n  ‸colour = 3\n`,
    messages: [/^`every`: expected a duration/, /^`key`: key "src net": give a prefix length/, /^`values`: expected one of "octets", "packets", "bits", "flows", found string "bytes"$/, /^unknown key `colour`$/],
  },
  {
    name: "bad window definitions: a name that cannot be a table, an unknown key field",
    body: `[[mo]]\nname = "all"\n  [[mo.window]]\n  name = ‸"Top-Talkers"\n  every = "1m"\n  key = [‸"src hots"]\n  values = ["octets"]\n`,
    messages: [/^`name`: invalid name "Top-Talkers": use lower-case letters/, /^`key`: unknown key field "src hots": expected src host, dst host/],
  },
  {
    name: "a window without every",
    body: `[[mo]]\nname = "all"\n  [[mo.‸window]]\n  name = "w"\n  key = ["proto"]\n  values = ["octets"]\n`,
    messages: [/^missing `every`$/],
  },
  {
    name: "two windows of one object with the same name",
    body: `[[mo]]\nname = "all"\n${WINDOW}  [[mo.window]]\n  name = ‸"w"\n  every = "5m"\n  key = ["dst port"]\n  values = ["flows"]\n`,
    messages: [/^`name`: duplicate window name "w"$/],
  },
];

for (const c of CASES) {
  test(`${c.name}: check and run both exit 1 with the same located lines`, async () => {
    const caseDir = join(dir, c.name.replace(/[^a-z0-9]+/gi, "-"));
    mkdirSync(caseDir, { recursive: true });
    const config = join(caseDir, "xenoflow.toml");
    const headText = await head(await freeUdpPort());
    const expected: RegExp[] = [];
    const located = (file: string, at: readonly string[], messages: readonly RegExp[]) => {
      expect(at.length).toBe(messages.length); // the case itself must be consistent
      at.forEach((lc, i) => expected.push(new RegExp(`^${escape(`${file}:${lc}: `)}${(messages[i] as RegExp).source.replace(/^\^/, "")}`)));
    };
    located(config, writeMarked(config, (c.top ?? "") + headText + c.body), c.messages);
    for (const [rel, f] of Object.entries(c.files ?? {})) {
      const path = join(caseDir, rel);
      mkdirSync(join(path, ".."), { recursive: true });
      located(path, writeMarked(path, f.body), f.messages);
    }
    const check = await spawn("check", config);
    const run = await spawn("run", config);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: check.code, stdout: "", stderr: check.stderr });
    expect(check.code).toBe(1);
    const lines = check.stderr.trimEnd().split("\n");
    expect(lines.length).toBe(expected.length);
    lines.forEach((l, i) => expect(l).toMatch(expected[i] as RegExp));
  }, 40_000);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
