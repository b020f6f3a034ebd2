// Docs that are tested: every ```sh block of README, INSTALL, ALERTS and GRAFANA runs, in order, on
// a copy of the shipped config with its collector running (in a network namespace of its own, so
// the shipped ports 2055, 4739 and 9655 are free whatever else runs on the machine); every ```sql
// block runs against PostgreSQL in a schema of its own, with sql/install.sql loaded and a few
// windows written. A block that cannot run here says why in the line before it:
//   <!-- not run: REASON -->
// PostgreSQL unreachable: the SQL part is skipped on a developer machine, a failure under CI=true.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { resolveTarget } from "../../src/report/target.ts";
import type { Sink } from "../../src/store/sink.ts";
import { createPostgresSink } from "../../src/store/postgres.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { sharedDirs, sharedFiles } from "../../scripts/share.ts";
import { tree } from "../config/tmp.ts";

const ROOT = resolve(import.meta.dir, "../..");
const DOCS = ["README.md", "docs/INSTALL.md", "docs/ALERTS.md", "docs/GRAFANA.md"];
const SHELL = new Set(["sh", "bash", "shell"]);
const NOT_RUN = /^<!-- not run: (.+) -->$/;

interface Block {
  where: string; // FILE:LINE of the opening fence
  lang: string;
  text: string;
  notRun?: string;
}

/** The fenced blocks of a Markdown file, each with the reason of a `not run` mark before it. */
function blocks(file: string, text: string): Block[] {
  const lines = text.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i] ?? "");
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
    let before = i - 1;
    while (before >= 0 && (lines[before] ?? "").trim() === "") before--;
    const mark = NOT_RUN.exec((lines[before] ?? "").trim());
    out.push({ where: `${file}:${i + 1}`, lang: open[1] ?? "", text: lines.slice(i + 1, end).join("\n"), ...(mark ? { notRun: mark[1] } : {}) });
    i = end;
  }
  return out;
}

const all = DOCS.flatMap((f) => blocks(f, readFileSync(join(ROOT, f), "utf8")));
const shell = all.filter((b) => SHELL.has(b.lang) && b.notRun === undefined);
const sql = all.filter((b) => b.lang === "sql" && b.notRun === undefined);

/** A few windows of the shipped config's all_talkers and all_proto, ending now, as the collector writes them. */
async function writeWindows(config: Config, sink: Sink): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const rows: Record<string, (string | number)[][]> = {
    talkers: [["10.0.0.1", "192.0.2.7", 1_500_000, 1000], ["10.0.0.2", "192.0.2.7", 9000, 6]],
    proto: [[6, 1_500_000, 1000, 12], [17, 9000, 6, 3]],
  };
  for (const [window, data] of Object.entries(rows)) {
    const target = resolveTarget(config, "all", window);
    for (const ago of [2, 1]) {
      const time = Math.floor(now / target.every) * target.every - ago * target.every;
      await sink.write({ mo: "all", window, table: target.table, time, keys: target.keys, values: target.values, rows: data });
    }
  }
}

test("the docs have shell and SQL blocks to run; marks sit only on such blocks", () => {
  expect(shell.length).toBeGreaterThanOrEqual(2);
  expect(sql.length).toBeGreaterThanOrEqual(1);
  // A mark on a block that is not code to run would hide nothing: keep marks for sh and sql.
  expect(all.filter((b) => b.notRun !== undefined && !SHELL.has(b.lang) && b.lang !== "sql").map((b) => b.where)).toEqual([]);
});

test("every installed path the docs name is shipped (make install, release tarballs)", () => {
  const SHARE = "/usr/local/share/xenoflow/";
  const files = sharedFiles(ROOT);
  const shipped = new Set([...files.map((f) => f.name), ...sharedDirs(files), ...sharedDirs(files).map((d) => d.slice(0, -1))]);
  const named = DOCS.flatMap((f) => [...readFileSync(join(ROOT, f), "utf8").matchAll(/\/usr\/local\/share\/xenoflow\/([\w./-]*[\w/])/g)].map((m) => m[1] ?? ""));
  expect(named.length).toBeGreaterThan(3);
  expect(named.filter((n) => !shipped.has(n)).map((n) => SHARE + n)).toEqual([]);
});

test("INSTALL.md's kernel settings are the shipped sysctl file's", () => {
  const settings = (text: string) => [...text.matchAll(/(net\.[\w.]+) = (\d+)/g)].map((m) => `${m[1]} = ${m[2]}`);
  const shipped = settings(readFileSync(join(ROOT, "systemd/xenoflow.sysctl.conf"), "utf8").replace(/^#.*$/gm, ""));
  expect(shipped.length).toBeGreaterThan(0);
  expect([...new Set(settings(readFileSync(join(ROOT, "docs/INSTALL.md"), "utf8")))].sort()).toEqual([...shipped].sort());
});

describe("shell blocks, on the shipped config with its collector", () => {
  // A checkout in a temp dir: the shipped config copied (its data_dir ../var lands here), the rest linked.
  const work = tree({});
  let results: { block: Block; code: number; output: string }[] = [];

  beforeAll(async () => {
    cpSync(join(ROOT, "config"), join(work, "config"), { recursive: true });
    for (const p of ["src", "node_modules", "sql", "docs", "test", "scripts", "package.json", "tsconfig.json", "Makefile"]) symlinkSync(join(ROOT, p), join(work, p));
    const config = loadConfig(join(work, "config/xenoflow.toml"), { expressions: expressionChecker });
    const sink = createSqliteSink(config.storage.url.slice("sqlite:".length));
    await writeWindows(config, sink);
    await sink.close();
    // An installed system's `xenoflow` (GRAFANA.md, INSTALL.md), as the checkout runs it.
    writeFileSync(join(work, "xenoflow"), `#!/bin/sh\nexec ${process.execPath} ${join(work, "src/main.ts")} "$@"\n`, { mode: 0o755 });
    shell.forEach((b, i) => writeFileSync(join(work, `block-${i}.sh`), `set -e\n${b.text}\n`));
    const script = [
      "ip link set lo up",
      "mkdir -p bin && mv xenoflow bin/",
      "export PATH=\"$PWD/bin:$PATH\"",
      "xenoflow run > collector.log 2>&1 & pid=$!",
      "for i in $(seq 100); do grep -q 'listening on' collector.log && break; sleep 0.1; done",
      ...shell.map((_, i) => `bash block-${i}.sh > out-${i} 2>&1; echo $? > rc-${i}`),
      "kill -TERM $pid; wait $pid; echo $? > rc-collector",
    ].join("\n");
    const ns = process.getuid?.() === 0 ? ["unshare", "--net"] : ["unshare", "--net", "--map-root-user"];
    const r = Bun.spawnSync([...ns, "bash", "-c", script], { cwd: work, env: { ...process.env, NO_COLOR: "1", JOURNAL_STREAM: "" }, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`the namespace did not run: ${r.stderr.toString()}`);
    results = shell.map((block, i) => ({ block, code: Number(readFileSync(join(work, `rc-${i}`), "utf8")), output: readFileSync(join(work, `out-${i}`), "utf8") }));
    expect(readFileSync(join(work, "rc-collector"), "utf8").trim()).toBe("0");
  }, 120_000);

  test("each exits 0", () => {
    const failed = results.filter((r) => r.code !== 0).map((r) => `${r.block.where} exit ${r.code}:\n${r.output}`);
    expect(failed).toEqual([]);
    expect(results.length).toBe(shell.length);
  });
});

const URL = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = postgres(URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
const reachable = await admin`SELECT 1`.then(
  () => true,
  () => false,
);
const schema = `xf_docs_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!reachable && process.env.CI !== "true")("SQL blocks, on PostgreSQL with sql/install.sql", () => {
  let q: postgres.Sql;

  beforeAll(async () => {
    await admin.unsafe(`CREATE SCHEMA "${schema}"`);
    const config = loadConfig(join(ROOT, "config/xenoflow.toml"), { expressions: expressionChecker });
    const sink = createPostgresSink(URL, { schema, connectTimeoutS: 5 });
    await writeWindows(config, sink);
    await sink.close();
    const psql = Bun.spawnSync(["psql", URL, "-q", "-X", "-v", "ON_ERROR_STOP=1", "-f", join(ROOT, "sql/install.sql")], {
      env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
      stderr: "pipe",
    });
    if (psql.exitCode !== 0) throw new Error(`psql -f sql/install.sql failed: ${psql.stderr.toString()}`);
    q = postgres(URL, { max: 1, onnotice: () => {}, connection: { search_path: `"${schema}"` } });
  });

  afterAll(async () => {
    await q?.end();
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  for (const b of sql) {
    test(`${b.where}: every statement runs and returns rows`, async () => {
      const statements = b.text.split(/;\s*(?:--[^\n]*)?\n/).map((s) => s.trim()).filter((s) => s !== "");
      for (const s of statements) {
        const rows = await q.unsafe(s);
        expect({ statement: s, rows: rows.length > 0 }).toEqual({ statement: s, rows: true });
      }
    });
  }
});
