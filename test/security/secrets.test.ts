// Issue 8 item 5: the database password is never logged. The collector runs with the password in
// the config URL, in password_file and in XENOFLOW_DB_URL, against a database that refuses the
// connection or hangs up on it, so every store error path (connect refused, connection closed,
// the stop-time "left in the spool" warning) writes its lines; no line, no /api answer and no
// `xenoflow check` summary may contain the password, raw or percent-encoded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";
import { freeTcpPort } from "../http/support.ts";

const MO = `[[mo]]\nname = "all"\n  [[mo.window]]\n  name = "proto"\n  every = "1s"\n  key = ["proto"]\n  values = ["flows"]\n`;
// Characters that URL parsers, drivers and log formatting each treat differently.
const URL_PW = "Ur1-p@ss:w/rd?x#y%z";
const FILE_PW = "F1le-s3cret value\\with'quote";
const ENV_PW = "Env-0nly-p4ss";

const root = mkdtempSync(join(tmpdir(), "xf-secrets-"));
let hangUp: Server;
let hangUpPort = 0;
let deadPort = 0;
const running: RunningCollector[] = [];

beforeAll(async () => {
  // Accepts and closes at once: the driver sees the connection end before any answer.
  hangUp = createServer((s) => s.destroy());
  await new Promise<void>((r) => hangUp.listen(0, "127.0.0.1", () => r()));
  hangUpPort = (hangUp.address() as { port: number }).port;
  deadPort = await freeTcpPort();
});
afterAll(() => {
  for (const c of running) c.cleanup();
  hangUp?.close();
  rmSync(root, { recursive: true, force: true });
});

function leaks(text: string, pw: string): string[] {
  const forms = [pw, encodeURIComponent(pw), encodeURI(pw)];
  return text.split("\n").filter((l) => forms.some((f) => l.includes(f)));
}

async function runAndCollect(opts: { storage: string; env?: Record<string, string> }): Promise<string[]> {
  const http = await freeTcpPort();
  const c = await startCollector(MO, { storage: opts.storage, env: opts.env, http: `listen = "127.0.0.1:${http}"` });
  running.push(c);
  const gen = Bun.spawnSync([BUN, MAIN, "gen", "--to", `127.0.0.1:${c.port}`, "--count", "290", "--version", "5"]);
  expect(gen.exitCode).toBe(0);
  await c.waitForLog(/store: write_error/, 15_000);
  const api = await Promise.all(["api/summary", "api/exporters", "metrics"].map(async (p) => `${p}: ${await (await fetch(`http://127.0.0.1:${http}/${p}`)).text()}`));
  const check = Bun.spawnSync([BUN, MAIN, "check", "-c", c.config], { env: { ...process.env, ...opts.env } });
  expect(await c.stop()).toBe(0); // drains for 10 s, then warns that exports stay in the spool
  expect(c.logs.some((l) => /stay in the spool/.test(l))).toBe(true);
  return [...c.logs, ...api, check.stdout.toString(), check.stderr.toString()];
}

describe("the database password never reaches a log line, the API or check", () => {
  test("in the URL, server refusing connections", async () => {
    const url = `postgres://xenoflow:${encodeURIComponent(URL_PW)}@127.0.0.1:${deadPort}/xenoflow`;
    const out = await runAndCollect({ storage: url });
    expect(out.some((l) => l.includes("ECONNREFUSED") || l.includes("refused"))).toBe(true);
    expect(leaks(out.join("\n"), URL_PW)).toEqual([]);
  }, 60_000);

  test("in password_file, server hanging up", async () => {
    const file = join(root, "pw");
    writeFileSync(file, `${FILE_PW}\n`, { mode: 0o600 });
    // The helper writes `url = "<storage>"` as the [storage] section's last line: close the string
    // and add the key there, since TOML cannot reopen the section later.
    const storage = `postgres://xenoflow@127.0.0.1:${hangUpPort}/xenoflow"\npassword_file = "${file}`;
    const out = await runAndCollect({ storage });
    expect(leaks(out.join("\n"), FILE_PW)).toEqual([]);
  }, 60_000);

  test("in XENOFLOW_DB_URL, server refusing connections", async () => {
    const url = `postgres://xenoflow:${ENV_PW}@127.0.0.1:${deadPort}/xenoflow`;
    const out = await runAndCollect({ storage: `sqlite:${join(root, "unused.sqlite")}`, env: { XENOFLOW_DB_URL: url } });
    expect(out.some((l) => l.includes(`127.0.0.1:${deadPort}`))).toBe(true); // the env URL was the one used
    expect(leaks(out.join("\n"), ENV_PW)).toEqual([]);
  }, 60_000);
});
