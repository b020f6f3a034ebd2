// Every command's --help is its own page, listing its flags; usage errors point at that page.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");

function xenoflow(...args: string[]) {
  const p = Bun.spawnSync([process.execPath, join(ROOT, "src/main.ts"), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

const FLAGS: Record<string, string[]> = {
  "report top": ["--mo", "--window", "--last", "--from", "--to", "--csv", "--by", "--n", "--config"],
  "report series": ["--mo", "--window", "--value", "--every", "--last", "--from", "--to", "--csv", "--config"],
  run: ["--config"],
  check: ["--config"],
  decode: ["--format", "--port"],
  replay: ["--to", "--speed", "--pps", "--loop", "--port", "--allow-remote"],
  gen: ["--to", "--fps", "--duration", "--count", "--version", "--exporters", "--seed"],
};

describe("--help", () => {
  for (const [command, flags] of Object.entries(FLAGS)) {
    test(`xenoflow ${command} --help lists its own flags`, () => {
      const r = xenoflow(...command.split(" "), "--help");
      expect(r.code).toBe(0);
      expect(r.out).toContain(`USAGE xenoflow ${command} `);
      const listed = [...r.out.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);
      expect(listed).toEqual(expect.arrayContaining(flags));
    });
  }

  test("report top --help gives each flag's default", () => {
    const out = xenoflow("report", "top", "--help").out;
    expect(out).toMatch(/--last=<last>.*\(default 1h\)/);
    expect(out).toMatch(/--n=<n>.*\(Default: 20\)/);
  });

  test("usage errors point at the sub-command's help, exit 1", () => {
    expect(xenoflow("report", "top", "--mo", "all")).toMatchObject({ code: 1, err: "error: Missing required argument: --window (see xenoflow report top --help)\n" });
    expect(xenoflow("decode", "x.pcap", "--format", "xml")).toMatchObject({ code: 1, err: 'error: --format must be jsonl or text, not "xml" (see xenoflow decode --help)\n' });
    expect(xenoflow("frobnicate")).toMatchObject({ code: 1, err: "error: Unknown command frobnicate (see xenoflow --help)\n" });
  });
});
