// Runs `xenoflow run` as a child process on free ports with a temporary config, for end-to-end tests.
import dgram from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BUN = process.execPath;
export const MAIN = join(import.meta.dir, "../../src/main.ts");

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface RunningCollector {
  port: number;
  /** The collector's process id (for /proc/<pid>/status). */
  pid: number;
  dir: string;
  config: string;
  logs: string[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number>;
  signal(sig: NodeJS.Signals): void;
  waitForLog(re: RegExp, timeoutMs?: number, nth?: number): Promise<string>;
  cleanup(): void;
}

/**
 * `body` is the config after data_dir and [collector]; `${DIR}` in it becomes the temp dir.
 * `http` is the body of the [http] section (default: the server off); `collector`, `storageLines`:
 * more lines for the [collector] ("workers = 2", `name = "pop1"`) and [storage] tables.
 */
export async function startCollector(body: string, opts: { storage?: string; env?: Record<string, string>; dir?: string; http?: string; cwd?: string; collector?: string; storageLines?: string } = {}): Promise<RunningCollector> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "xf-e2e-"));
  const port = await freeUdpPort();
  const config = join(dir, "xenoflow.toml");
  const storage = opts.storage ?? `sqlite:${join(dir, "xf.sqlite")}`;
  writeFileSync(
    config,
    `data_dir = "${dir}"\n[collector]\nlisten = ["127.0.0.1:${port}"]\nrecv_buffer = "4MiB"\n${opts.collector ?? ""}\n[storage]\nurl = "${storage}"\n${opts.storageLines ?? ""}\n[http]\n${opts.http ?? 'listen = ""'}\n${body.replaceAll("${DIR}", dir)}`,
  );
  const proc = Bun.spawn([BUN, MAIN, "run", "-c", config], {
    cwd: opts.cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", JOURNAL_STREAM: "", ...opts.env },
  });
  const logs: string[] = [];
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of s) {
      buf += dec.decode(chunk, { stream: true });
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        nl = buf.indexOf("\n");
      }
    }
  };
  void pump(proc.stdout as ReadableStream<Uint8Array>);
  void pump(proc.stderr as ReadableStream<Uint8Array>);
  let exited: number | null = null;
  void proc.exited.then((code) => {
    exited = code;
  });
  /** The nth (1-based) log line matching `re`, waiting for it. */
  const waitForLog = async (re: RegExp, timeoutMs = 10_000, nth = 1): Promise<string> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hits = logs.filter((l) => re.test(l));
      if (hits.length >= nth) return hits[nth - 1] as string;
      if (exited !== null) throw new Error(`collector exited ${exited} before ${re}; logs:\n${logs.join("\n")}`);
      if (performance.now() > deadline) throw new Error(`no log line matching ${re} within ${timeoutMs} ms; logs:\n${logs.join("\n")}`);
      await Bun.sleep(20);
    }
  };
  await waitForLog(/listening on udp/);
  return {
    port,
    pid: proc.pid,
    dir,
    config,
    logs,
    waitForLog,
    signal: (sig) => proc.kill(sig),
    async stop() {
      proc.kill("SIGTERM");
      return await proc.exited;
    },
    cleanup() {
      proc.kill("SIGKILL");
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends payloads to the collector in order, paced so the receive buffer never overflows. */
export async function sendAll(port: number, payloads: readonly Uint8Array[], perMs = 20): Promise<void> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  for (let i = 0; i < payloads.length; i++) {
    await new Promise<void>((r, j) => s.send(payloads[i] as Uint8Array, port, "127.0.0.1", (e) => (e ? j(e) : r())));
    if (i % perMs === perMs - 1) await Bun.sleep(1);
  }
  await new Promise<void>((r) => s.close(() => r()));
}
