import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScriptRunner, type ScriptJob } from "../../src/alert/scripts.ts";

const dir = mkdtempSync(join(tmpdir(), "xf-scripts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

function job(path: string, argv: string[] = [], extra: Partial<ScriptJob> = {}): ScriptJob {
  return { path, argv, env: {}, stdin: "", label: "test", ...extra };
}

describe("script runner", () => {
  test("argv elements, environment and stdin arrive exactly as given, without a shell", async () => {
    const out = join(dir, "seen.txt");
    const p = script("seen.sh", `for a in "$@"; do printf '[%s]\\n' "$a"; done > ${out}; env | sort >> ${out}; cat >> ${out}`);
    const logs: string[] = [];
    const r = createScriptRunner({ timeoutMs: 5000, concurrency: 2, log: (_l, m) => logs.push(m) });
    r.run(job(p, ["exceed", "; rm -rf /", "$(touch /tmp/pwned)", "a b"], { env: { XENOFLOW_EVENT: "exceed" }, stdin: '{"x":1}' }));
    await r.idle();
    const seen = readFileSync(out, "utf8").split("\n");
    expect(seen.slice(0, 4)).toEqual(["[exceed]", "[; rm -rf /]", "[$(touch /tmp/pwned)]", "[a b]"]);
    const env = seen.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split("=")[0]);
    // /bin/sh adds PWD (and SHLVL on some shells) itself; nothing of ours leaks beyond PATH and the contract.
    expect(env.filter((k) => k !== "PWD" && k !== "SHLVL" && k !== "_")).toEqual(["PATH", "XENOFLOW_EVENT"]);
    expect(seen.at(-1)).toBe('{"x":1}');
    expect(r.stats).toMatchObject({ started: 1, succeeded: 1, failed: 0, timedOut: 0, running: 0, queued: 0 });
  });

  test("a hanging script and its children are killed at the timeout", async () => {
    const marker = join(dir, "child-alive");
    const p = script("hang.sh", `(sleep 30; touch ${marker}) & sleep 30`);
    const logs: string[] = [];
    const r = createScriptRunner({ timeoutMs: 300, concurrency: 1, log: (_l, m) => logs.push(m) });
    const t0 = performance.now();
    r.run(job(p));
    await r.idle();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.stats).toMatchObject({ started: 1, timedOut: 1, succeeded: 0 });
    expect(logs.some((l) => l.includes("killed after 300 ms"))).toBe(true);
    const ps = Bun.spawnSync(["pgrep", "-f", `touch ${marker}`]);
    expect(ps.stdout.toString().trim()).toBe("");
  });

  test("never more than `concurrency` at once; the rest wait their turn", async () => {
    const log = join(dir, "conc.log");
    writeFileSync(log, "");
    const p = script("conc.sh", `echo start >> ${log}; sleep 0.3; echo end >> ${log}`);
    const r = createScriptRunner({ timeoutMs: 5000, concurrency: 2, log: () => {} });
    for (let i = 0; i < 6; i++) r.run(job(p));
    expect(r.stats.running).toBe(2);
    expect(r.stats.queued).toBe(4);
    await r.idle();
    let live = 0;
    let peak = 0;
    for (const l of readFileSync(log, "utf8").trim().split("\n")) {
      live += l === "start" ? 1 : -1;
      peak = Math.max(peak, live);
    }
    expect(peak).toBe(2);
    expect(r.stats).toMatchObject({ started: 6, succeeded: 6, running: 0, queued: 0 });
  });

  test("failures are counted and logged with exit status and output", async () => {
    const p = script("fail.sh", "echo oops >&2; exit 3");
    const logs: string[] = [];
    const r = createScriptRunner({ timeoutMs: 5000, concurrency: 1, log: (l, m) => logs.push(`${l} ${m}`) });
    r.run(job(p));
    r.run(job(join(dir, "missing.sh")));
    await r.idle();
    expect(r.stats).toMatchObject({ started: 2, failed: 2, succeeded: 0 });
    expect(logs.some((l) => l.startsWith("warn") && l.includes("exited 3") && l.includes("oops"))).toBe(true);
    expect(logs.some((l) => l.startsWith("error") && l.includes("missing.sh"))).toBe(true);
  });
});
