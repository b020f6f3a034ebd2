// Helpers for the alert end-to-end tests: a recording alert script (what it was given, and when),
// `xenoflow gen` as a child process, and a loopback UDP relay that timestamps when a load really
// starts and stops arriving (a child process's start-up time is not the load's start).
import dgram from "node:dgram";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, MAIN } from "./collector.ts";

export interface ScriptCall {
  /** Epoch ms when the script started (its own clock reading, first thing it does). */
  atMs: number;
  argv: string[];
  env: Record<string, string>;
  stdin: string;
}

/**
 * Writes `<dir>/<name>`: a POSIX sh script that records its argv (NUL-separated, so any byte but
 * NUL survives), its environment and its stdin under `<dir>/<name>.calls/<pid>/`.
 */
export function recorderScript(dir: string, name = "record.sh"): string {
  const path = join(dir, name);
  mkdirSync(`${path}.calls`, { recursive: true });
  writeFileSync(
    path,
    `#!/bin/sh
t=$(date +%s%N)
d='${path}.calls'/$$
mkdir "$d"
for a in "$@"; do printf '%s\\0' "$a"; done > "$d/argv"
env -0 > "$d/env"
cat > "$d/stdin"
echo "$t" > "$d/time"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** Completed calls of a recorder script, oldest first. */
export function recordedCalls(script: string): ScriptCall[] {
  const root = `${script}.calls`;
  if (!existsSync(root)) return [];
  const calls: ScriptCall[] = [];
  for (const pid of readdirSync(root)) {
    const d = join(root, pid);
    if (!existsSync(join(d, "time"))) continue; // still running
    const env: Record<string, string> = {};
    for (const kv of readFileSync(join(d, "env"), "utf8").split("\0")) {
      const eq = kv.indexOf("=");
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    calls.push({
      atMs: Number(readFileSync(join(d, "time"), "utf8").trim()) / 1e6,
      argv: readFileSync(join(d, "argv"), "utf8").split("\0").slice(0, -1),
      env,
      stdin: readFileSync(join(d, "stdin"), "utf8"),
    });
  }
  return calls.sort((a, b) => a.atMs - b.atMs);
}

export async function waitForCalls(script: string, n: number, timeoutMs: number): Promise<ScriptCall[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const calls = recordedCalls(script);
    if (calls.length >= n) return calls;
    if (Date.now() > until) throw new Error(`${script}: ${calls.length} of ${n} calls within ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}

/** Variables /bin/sh puts into its children's environment by itself (dash: PWD). */
export function shellAddedEnv(): string[] {
  const r = Bun.spawnSync(["env", "-i", "/bin/sh", "-c", "env -0"]);
  return r.stdout
    .toString()
    .split("\0")
    .filter((kv) => kv.includes("="))
    .map((kv) => kv.slice(0, kv.indexOf("=")));
}

export interface GenSummary {
  flows: number;
  datagrams: number;
  octets: number;
  packets: number;
  send_errors: number;
}

/** Runs `xenoflow gen --to 127.0.0.1:PORT ARGS...` to completion and returns its JSON summary. */
export async function gen(port: number, args: readonly string[]): Promise<GenSummary> {
  const p = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`gen ${args.join(" ")} exited ${code}: ${err}`);
  return JSON.parse(out) as GenSummary;
}

export interface Relay {
  port: number;
  /** Arrival (epoch ms) of the first and last datagram since the last reset(); NaN before any. */
  readonly firstMs: number;
  readonly lastMs: number;
  readonly datagrams: number;
  reset(): void;
  close(): Promise<void>;
}

/** Forwards every datagram it receives on a loopback port to 127.0.0.1:`to`, noting when. */
export async function startRelay(to: number): Promise<Relay> {
  const s = dgram.createSocket("udp4");
  let firstMs = Number.NaN;
  let lastMs = Number.NaN;
  let datagrams = 0;
  s.on("message", (msg) => {
    const now = Date.now();
    if (datagrams === 0) firstMs = now;
    lastMs = now;
    datagrams++;
    s.send(msg, to, "127.0.0.1");
  });
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  return {
    port: s.address().port,
    get firstMs() {
      return firstMs;
    },
    get lastMs() {
      return lastMs;
    },
    get datagrams() {
      return datagrams;
    },
    reset() {
      firstMs = Number.NaN;
      lastMs = Number.NaN;
      datagrams = 0;
    },
    close: () => new Promise<void>((r) => s.close(() => r())),
  };
}

/** A process that has exited (a zombie not yet reaped counts as exited). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** VmRSS of a process, in bytes. */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}
