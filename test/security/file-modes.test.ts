// Issue 8 item 5: state files hold the operator's traffic matrix and exporter layout, so the
// collector creates them for its own user only, whatever umask it was started with. The collector
// runs here with umask 000, the worst case: every mode below comes from the code, not the umask.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, MAIN, freeUdpPort } from "../support/collector.ts";
import { freeTcpPort } from "../http/support.ts";

const MO = `[[mo]]\nname = "all"\n  [[mo.window]]\n  name = "proto"\n  every = "1s"\n  key = ["proto"]\n  values = ["flows"]\n`;

const root = mkdtempSync(join(tmpdir(), "xf-modes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8).padStart(4, "0");

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await Bun.sleep(50);
  }
}

/** Runs `xenoflow run` under umask 000 with data_dir `<root>/<name>/state`, which does not exist yet. */
async function runWithOpenUmask(name: string, storage: (state: string) => string, check: (state: string) => boolean) {
  const base = join(root, name);
  const state = join(base, "state");
  const port = await freeUdpPort();
  const cfg = join(root, `${name}.toml`);
  writeFileSync(cfg, `data_dir = "${state}"\n[collector]\nlisten = ["127.0.0.1:${port}"]\nrecv_buffer = "1MiB"\n[storage]\nurl = "${storage(state)}"\n[http]\nlisten = ""\n${MO}`);
  const old = process.umask(0);
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn([BUN, MAIN, "run", "-c", cfg], { stdout: "ignore", stderr: "pipe", env: { ...process.env, JOURNAL_STREAM: "" } });
  } finally {
    process.umask(old);
  }
  try {
    await until(() => existsSync(join(state, "alerts.json")), "start");
    const gen = Bun.spawnSync([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", "290", "--version", "9"], { stdout: "pipe" });
    expect(gen.exitCode).toBe(0);
    await until(() => existsSync(join(state, "templates.json")) && check(state), "templates and the first export");
    return { state, proc };
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  }
}

describe("files the collector creates are its own user's only (umask 000)", () => {
  let sqlite: { state: string; proc: ReturnType<typeof Bun.spawn> };
  let spooled: { state: string; proc: ReturnType<typeof Bun.spawn> };
  beforeAll(async () => {
    sqlite = await runWithOpenUmask("sqlite", (s) => `sqlite:${s}/db/xf.sqlite`, (s) => existsSync(join(s, "db/xf.sqlite-wal")));
    const dead = await freeTcpPort(); // nothing listens there: every export stays in the spool
    spooled = await runWithOpenUmask("spool", () => `postgres://xenoflow@127.0.0.1:${dead}/xenoflow`, (s) => existsSync(join(s, "spool")) && readdirSync(join(s, "spool")).length > 0);
  }, 60_000);
  afterAll(() => {
    sqlite?.proc.kill("SIGKILL");
    spooled?.proc.kill("SIGKILL");
  });

  test("SQLite store: data_dir, database, WAL and shared memory, templates, alerts", () => {
    const s = sqlite.state;
    expect({
      data_dir: mode(s),
      db_dir: mode(join(s, "db")),
      db: mode(join(s, "db/xf.sqlite")),
      wal: mode(join(s, "db/xf.sqlite-wal")),
      shm: mode(join(s, "db/xf.sqlite-shm")),
      spool: mode(join(s, "spool")),
      templates: mode(join(s, "templates.json")),
      alerts: mode(join(s, "alerts.json")),
    }).toEqual({ data_dir: "0700", db_dir: "0700", db: "0600", wal: "0600", shm: "0600", spool: "0700", templates: "0600", alerts: "0600" });
  });

  test("database down: spool directory and segments", () => {
    const dir = join(spooled.state, "spool");
    const segs = readdirSync(dir);
    expect(segs.length).toBeGreaterThan(0);
    expect({ data_dir: mode(spooled.state), spool: mode(dir), segments: [...new Set(segs.map((f) => mode(join(dir, f))))] }).toEqual({
      data_dir: "0700",
      spool: "0700",
      segments: ["0600"],
    });
  });
});
