// End to end over loopback: `xenoflow run` pinned to core 0, `xenoflow gen` pinned to core 1,
// the collector counting what it decoded (/metrics), the kernel's socket drops from
// /proc/net/udp, and the collector's CPU time and memory from /proc/<pid>.
//
// Loss per step is split in two: datagrams the kernel dropped because the receive buffer was
// full (the collector was too slow to read) and flows the generator sent but the decoder did
// not count for any other reason (lost in flight, undecodable: should be zero).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseProcNetUdp } from "../../src/http/kernel-drops.ts";

const BUN = resolve("node_modules/.bin/bun");
const MAIN = resolve("src/main.ts");
/** The windows' `every` in config/examples/bench.toml: a step that must hold a close waits on it. */
export const WINDOW_MS = 30_000;
const CLK_TCK = 100; // USER_HZ, the unit of utime/stime in /proc/<pid>/stat on Linux

export interface Collector {
  pid: number;
  port: number;
  metrics(): Promise<Map<string, number>>;
  cpuSeconds(): number;
  /** CPU time of the JIT's compiler threads (JavaScriptCore's JITWorker) so far, from schedstat. */
  jitSeconds(): number;
  memory(): { rssKiB: number; hwmKiB: number };
  kernelDrops(): number;
  stop(): Promise<void>;
}

async function freePort(kind: "udp" | "tcp"): Promise<number> {
  if (kind === "tcp") {
    const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const p = s.port;
    s.stop(true);
    return p;
  }
  const s = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
  const p = s.port;
  s.close();
  return p;
}

/** The bench config with its own ports and a scratch data_dir; returns the file path. */
function benchConfig(base: string, dir: string, udp: number, http: number): string {
  const text = readFileSync(base, "utf8")
    .replace(/^data_dir\s*=.*$/m, `data_dir = "${dir}/data"`)
    .replace(/^listen\s*=\s*\["127\.0\.0\.1:\d+"\]/m, `listen = ["127.0.0.1:${udp}"]`)
    .replace(/^listen\s*=\s*"127\.0\.0\.1:\d+"/m, `listen = "127.0.0.1:${http}"`);
  const file = join(dir, "bench.toml");
  writeFileSync(file, text);
  return file;
}

export async function startCollector(baseConfig: string, core: number): Promise<Collector> {
  const dir = mkdtempSync(join(tmpdir(), "xenoflow-bench-"));
  const port = await freePort("udp");
  const http = await freePort("tcp");
  const file = benchConfig(baseConfig, dir, port, http);
  const proc = Bun.spawn(["taskset", "-c", String(core), BUN, MAIN, "run", "-c", file], { stdout: "ignore", stderr: "pipe", env: { ...process.env, XENOFLOW_DB_URL: `sqlite:${dir}/db.sqlite` } });
  const metricsUrl = `http://127.0.0.1:${http}/metrics`;
  const metrics = async () => {
    const text = await (await fetch(metricsUrl)).text();
    const out = new Map<string, number>();
    for (const line of text.split("\n")) {
      if (line.startsWith("#") || line === "") continue;
      const at = line.lastIndexOf(" ");
      // Labelled series are summed under the bare metric name, and kept under their own.
      const brace = line.indexOf("{");
      const name = line.slice(0, brace >= 0 && brace < at ? brace : at);
      const value = Number(line.slice(at + 1));
      out.set(name, (out.get(name) ?? 0) + value);
      if (brace >= 0 && brace < at) out.set(line.slice(0, at), value);
    }
    return out;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await metrics();
      break;
    } catch {
      if (proc.exitCode !== null || Date.now() > deadline) {
        const err = await new Response(proc.stderr).text();
        throw new Error(`collector did not start: ${err.slice(-2000)}`);
      }
      await Bun.sleep(100);
    }
  }
  // taskset execs bun, so the pid is the collector's.
  const pid = proc.pid;
  const jitSeen = new Map<string, number>();
  let jitNs = 0;
  return {
    pid,
    port,
    metrics,
    cpuSeconds() {
      // Fields after the command name: utime is field 14, stime 15 (proc(5)); they sum all threads.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(f[11]) + Number(f[12])) / CLK_TCK;
    },
    jitSeconds() {
      // JSC starts and ends compiler threads as work comes: what a thread ran before it ended
      // stays counted, so the figure never goes back.
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          if (!readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").startsWith("JITWorker")) continue;
          const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
          jitNs += Math.max(0, ns - (jitSeen.get(tid) ?? 0));
          jitSeen.set(tid, ns);
        } catch {
          // The thread ended between readdir and read.
        }
      }
      return jitNs / 1e9;
    },
    memory() {
      const s = readFileSync(`/proc/${pid}/status`, "utf8");
      const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(s)?.[1] ?? NaN);
      return { rssKiB: kib("VmRSS"), hwmKiB: kib("VmHWM") };
    },
    kernelDrops() {
      let drops = 0;
      for (const f of ["/proc/net/udp", "/proc/net/udp6"]) {
        try {
          for (const r of parseProcNetUdp(readFileSync(f, "utf8"))) if (r.port === port) drops += r.drops;
        } catch {
          // no IPv6 on this machine
        }
      }
      return drops;
    },
    async stop() {
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      await proc.exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface GenSummary {
  flows: number;
  datagrams: number;
  seconds: number;
  rate_fps: number;
  send_errors: number;
}

export async function gen(core: number, port: number, fps: number, seconds: number, flags: readonly string[]): Promise<GenSummary> {
  const p = Bun.spawn(["taskset", "-c", String(core), BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--fps", String(fps), "--duration", String(seconds), ...(flags.includes("--version") ? [] : ["--version", "9"]), ...flags], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await new Response(p.stdout).text();
  if ((await p.exited) !== 0) throw new Error(`gen failed: ${await new Response(p.stderr).text()}`);
  return JSON.parse(out.trim().split("\n").pop()!) as GenSummary;
}

export interface Step {
  fps: number;
  sent: number;
  /** Achieved send rate. */
  sentFps: number;
  decoded: number;
  /** Datagrams the kernel dropped (receive buffer full). */
  kernelDrops: number;
  /** Flows sent, not decoded, and not explained by kernel drops. */
  otherLoss: number;
  lossPct: number;
  cpuSeconds: number;
  cpuPerMFlows: number;
  rssKiB: number;
  hwmKiB: number;
}

/** One step: gen at `fps` for `seconds`; counts what the collector decoded once it went quiet. */
export async function step(c: Collector, fps: number, seconds: number, flags: readonly string[], recordsPerDatagram = 29): Promise<Step> {
  const m0 = await c.metrics();
  const cpu0 = c.cpuSeconds();
  const d0 = c.kernelDrops();
  const g = await gen(1, c.port, fps, seconds, flags);
  // Let the collector drain its receive queue: wait until the decoded count stops moving. Workers
  // report every 250 ms (src/workers/thread.ts), so two equal reads must be further apart.
  let decoded = -1;
  for (let k = 0; k < 40; k++) {
    await Bun.sleep(300);
    const now = ((await c.metrics()).get("xenoflow_decoded_flows_total") ?? 0) - (m0.get("xenoflow_decoded_flows_total") ?? 0);
    if (now === decoded) break;
    decoded = now;
  }
  const cpu = c.cpuSeconds() - cpu0;
  const drops = c.kernelDrops() - d0;
  const mem = c.memory();
  const lost = g.flows - decoded;
  return {
    fps,
    sent: g.flows,
    sentFps: g.rate_fps,
    decoded,
    kernelDrops: drops,
    otherLoss: Math.max(0, lost - drops * recordsPerDatagram),
    lossPct: g.flows > 0 ? (100 * lost) / g.flows : 0,
    cpuSeconds: cpu,
    cpuPerMFlows: decoded > 0 ? cpu / (decoded / 1e6) : NaN,
    rssKiB: mem.rssKiB,
    hwmKiB: mem.hwmKiB,
  };
}
