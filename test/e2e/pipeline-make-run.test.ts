// Issue 4 item 6: `make run` (the README's first command) starts the collector with the shipped
// config/xenoflow.toml on the embedded store, listening on 2055, 4739 and 6343. Run on a temp copy of
// that config whose data_dir (and with it the SQLite file) is a temp dir, and whose HTTP port is a
// free one, so the test never touches the checkout's var/ nor a collector someone else runs.
// Fed by `xenoflow gen` on every port (v5, IPFIX, sFlow), stopped with SIGINT through `timeout -s INT`.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import dgram from "node:dgram";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, MAIN } from "../support/collector.ts";
import { freeTcpPort, scrapeUntil } from "../http/support.ts";

const ROOT = join(import.meta.dir, "../..");
const PORTS = [2055, 4739, 6343];
const COUNT = 3000;

async function udpFree(port: number): Promise<boolean> {
  const s = dgram.createSocket("udp4");
  const ok = await new Promise<boolean>((resolve) => {
    s.once("error", () => resolve(false));
    s.bind(port, "0.0.0.0", () => resolve(true));
  });
  await new Promise<void>((r) => s.close(() => r()));
  return ok;
}

/** Why the test cannot run here, or null. */
async function blocker(): Promise<string | null> {
  if (Bun.which("make") === null) return "make is not installed";
  if (Bun.which("timeout") === null) return "timeout (coreutils) is not installed";
  for (const p of PORTS) if (!(await udpFree(p))) return `UDP port ${p} is in use (another collector?)`;
  // Out-of-date deps would make `make run` run `npm ci` in a working tree others may be using.
  const q = Bun.spawnSync(["make", "-q", "node_modules/.installed"], { cwd: ROOT });
  if (q.exitCode !== 0) return "node_modules/.installed is out of date: `make run` would run npm ci first";
  return null;
}

const reason = await blocker();
if (reason !== null) console.warn(`skipping the make run smoke test: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), "xf-make-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The shipped config with data_dir and the HTTP listener moved; throws if either line is not there. */
function tempConfig(httpPort: number): string {
  const shipped = readFileSync(join(ROOT, "config/xenoflow.toml"), "utf8");
  const replace = (text: string, re: RegExp, by: string) => {
    if (!re.test(text)) throw new Error(`config/xenoflow.toml has no line matching ${re}: update this test`);
    return text.replace(re, by);
  };
  let text = replace(shipped, /^data_dir = .*$/m, `data_dir = "${dir}"`);
  text = replace(text, /^(\[http\]\nlisten = )"[^"]*"/m, `$1"127.0.0.1:${httpPort}"`);
  const file = join(dir, "xenoflow.toml");
  writeFileSync(file, text);
  return file;
}

async function gen(port: number, version: number | "sflow"): Promise<{ flows: number; octets: number; packets: number }> {
  const p = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", String(COUNT), "--fps", "3000", "--version", String(version)], { stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
  expect(code).toBe(0);
  return JSON.parse(out);
}

test.skipIf(reason !== null)(
  "make run: listens on 2055, 4739 and 6343, says where it writes, and the SQLite file gets the flows gen sent",
  async () => {
    const http = await freeTcpPort();
    const config = tempConfig(http);
    const repoDb = join(ROOT, "var", "xenoflow.sqlite");
    const repoDbBefore = statSync(repoDb, { throwIfNoEntry: false })?.mtimeMs ?? null;
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, NO_COLOR: "1" };
    // timeout is the safety net; the SIGINT that counts is the one sent below once gen is done.
    const proc = Bun.spawn(["timeout", "-s", "INT", "60", "make", "--no-print-directory", "run", `CONFIG=${config}`], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
    const out: string[] = [];
    const reader = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) out.push(new TextDecoder().decode(chunk));
    };
    const pumps = Promise.all([reader(proc.stdout), reader(proc.stderr)]);
    const sqlite = join(dir, "xenoflow.sqlite");
    const sent: Array<{ flows: number; octets: number; packets: number }> = [];
    try {
      for (let i = 0; i < 300 && !out.join("").includes("listening on udp"); i++) await Bun.sleep(50);
      expect(out.join("")).toContain(`listening on udp 0.0.0.0:2055, 0.0.0.0:4739, 0.0.0.0:6343 (recvmmsg); writing to sqlite:${sqlite}; state in ${dir}`);
      sent.push(await gen(2055, 5), await gen(4739, 10), await gen(6343, "sflow"));
      // SIGINT only once every record went through the decoder: the signal must not race the socket.
      await scrapeUntil(`http://127.0.0.1:${http}/`, (x) => x.samples.get("xenoflow_decoded_flows_total") === COUNT * 3);
      proc.kill("SIGINT");
      await proc.exited;
      await pumps;
    } finally {
      proc.kill("SIGKILL");
    }
    const log = out.join("");
    expect(log).toContain("SIGINT: exporting open windows and stopping");
    expect(log).toContain("stopped");
    expect(statSync(repoDb, { throwIfNoEntry: false })?.mtimeMs ?? null).toBe(repoDbBefore);
    const db = new Database(sqlite, { readonly: true });
    try {
      const got = db.query(`SELECT sum(flows) AS flows, sum(octets) AS octets, sum(packets) AS packets FROM "all_proto"`).get();
      const sum = (k: "octets" | "packets") => sent.reduce((n, x) => n + x[k], 0);
      expect(got).toEqual({ flows: COUNT * 3, octets: sum("octets"), packets: sum("packets") });
      const talkers = db.query(`SELECT sum(octets) AS octets FROM "all_talkers"`).get() as { octets: number };
      expect(talkers.octets).toBe(sum("octets"));
    } finally {
      db.close();
    }
  },
  90_000,
);
