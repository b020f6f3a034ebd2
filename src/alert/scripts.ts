// Runs the operator's alert scripts (DESIGN.md section 6): executed directly, never through a
// shell, so a flow key such as "; rm -rf /" is only an argument; at most `concurrency` at once,
// the rest queued; each killed (with its whole process group) at `timeoutMs`. Nothing here ever
// blocks the caller: run() only queues.

export interface ScriptJob {
  path: string;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  stdin: string;
  /** For the log: "exceed web/dst_rate/flood 192.0.2.7". */
  label: string;
}

export interface ScriptStats {
  started: number;
  succeeded: number;
  failed: number; // non-zero exit or spawn error
  timedOut: number;
  dropped: number; // queue full
  running: number;
  queued: number;
}

export type LogFn = (level: "info" | "warn" | "error", message: string) => void;

export interface ScriptRunner {
  readonly stats: ScriptStats;
  run(job: ScriptJob): void;
  /** Resolves when nothing is running or queued. */
  idle(): Promise<void>;
  setLimits(timeoutMs: number, concurrency: number): void;
}

const MAX_QUEUE = 1000;
const MAX_LOGGED_OUTPUT = 2000;

export function createScriptRunner(opts: { timeoutMs: number; concurrency: number; log: LogFn }): ScriptRunner {
  let { timeoutMs, concurrency } = opts;
  const stats: ScriptStats = { started: 0, succeeded: 0, failed: 0, timedOut: 0, dropped: 0, running: 0, queued: 0 };
  const queue: ScriptJob[] = [];
  let waiters: Array<() => void> = [];

  const settle = () => {
    if (stats.running === 0 && queue.length === 0) {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    }
  };

  const pump = () => {
    while (stats.running < concurrency && queue.length > 0) {
      const job = queue.shift() as ScriptJob;
      stats.queued = queue.length;
      stats.running++;
      stats.started++;
      void execute(job).finally(() => {
        stats.running--;
        pump();
        settle();
      });
    }
  };

  const execute = async (job: ScriptJob): Promise<void> => {
    const started = performance.now();
    let proc: ReturnType<typeof Bun.spawn>;
    try {
      proc = Bun.spawn([job.path, ...job.argv], {
        env: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", ...job.env },
        stdin: new TextEncoder().encode(job.stdin),
        stdout: "pipe",
        stderr: "pipe",
        detached: true,
      });
    } catch (e) {
      stats.failed++;
      opts.log("error", `script ${job.path} (${job.label}) could not start: ${(e as Error).message}`);
      return;
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(proc.pid);
    }, timeoutMs);
    const [out, err, code] = await Promise.all([
      readCapped(proc.stdout as ReadableStream<Uint8Array>),
      readCapped(proc.stderr as ReadableStream<Uint8Array>),
      proc.exited,
    ]);
    clearTimeout(timer);
    const ms = Math.round(performance.now() - started);
    const output = [out, err].filter((s) => s.length > 0).join(" | ").replace(/\s+/g, " ").trim();
    const tail = output ? `: ${output}` : "";
    if (timedOut) {
      stats.timedOut++;
      opts.log("warn", `script ${job.path} (${job.label}) killed after ${timeoutMs} ms${tail}`);
    } else if (code === 0) {
      stats.succeeded++;
      opts.log("info", `script ${job.path} (${job.label}) exited 0 in ${ms} ms${tail}`);
    } else {
      stats.failed++;
      opts.log("warn", `script ${job.path} (${job.label}) exited ${code} in ${ms} ms${tail}`);
    }
  };

  return {
    stats,
    run(job) {
      if (queue.length >= MAX_QUEUE) {
        stats.dropped++;
        opts.log("error", `script queue full (${MAX_QUEUE}); dropped ${job.path} (${job.label})`);
        return;
      }
      queue.push(job);
      stats.queued = queue.length;
      pump();
    },
    idle() {
      if (stats.running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((r) => waiters.push(r));
    },
    setLimits(t, c) {
      timeoutMs = t;
      concurrency = c;
      pump();
    },
  };
}

// The script ran in its own session (setsid), so its children die with it.
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

// Keeps the first bytes for the log and discards the rest, so a chatty script cannot grow memory.
async function readCapped(stream: ReadableStream<Uint8Array>): Promise<string> {
  const dec = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    if (text.length < MAX_LOGGED_OUTPUT) text += dec.decode(chunk, { stream: true });
  }
  return text.length > MAX_LOGGED_OUTPUT ? `${text.slice(0, MAX_LOGGED_OUTPUT)}…` : text;
}
