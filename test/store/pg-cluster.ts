// A throwaway PostgreSQL 15 cluster for tests that stop and start the server: initdb into a temp
// directory as the postgres OS user, a random port outside the kernel's ephemeral range, its
// socket in that directory. Never touches the shared server on 5432.
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = "/usr/lib/postgresql/15/bin";

// The port stays free while the server is down (outages of minutes): inside the ephemeral range
// (net.ipv4.ip_local_port_range) the test's own connections could take it as their local port
// in the meantime, and the restart would fail to bind.
export function portRange(): [number, number] {
  const [lo = 32768, hi = 60999] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
  return hi <= 63535 ? [hi + 1, 65535] : [Math.max(1024, lo - 4000), lo - 1];
}

/** Runs cmd as the postgres user, in `cwd` (a directory it may enter: the test's own may be private). */
function run(cmd: string[], cwd: string): void {
  const p = Bun.spawnSync(["runuser", "-u", "postgres", "--", ...cmd], { cwd, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${p.exitCode}): ${p.stderr.toString()}${p.stdout.toString()}`);
}

/** The server log's last lines, for an error: pg_ctl only says "Examine the log output". */
function logTail(file: string): string {
  if (!existsSync(file)) return "";
  return `\nserver log (last lines):\n${readFileSync(file, "utf8").trimEnd().split("\n").slice(-15).join("\n")}`;
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export interface Cluster {
  url: string;
  port: number;
  start(): void;
  stop(): void;
  destroy(): void;
}

export async function createCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "xenoflow-pg-"));
  let running = false;
  const users = Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim();
  const groups = Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString().trim();
  chownSync(dir, Number(users), Number(groups));
  let port = 0;
  const [from, to] = portRange();
  for (let tries = 0; tries < 50 && port === 0; tries++) {
    const p = from + Math.floor(Math.random() * (to - from + 1));
    if (await portFree(p)) port = p;
  }
  if (port === 0) throw new Error("no free port for the throwaway cluster");
  const data = join(dir, "data");
  const log = join(dir, "log");
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start() {
      running = true; // also when start fails half-way: destroy() then still stops it
      try {
        run([`${BIN}/pg_ctl`, "-D", data, "-l", log, "-w", "-t", "60", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"], dir);
      } catch (err) {
        throw new Error(`${(err as Error).message}${logTail(log)}`);
      }
    },
    stop() {
      run([`${BIN}/pg_ctl`, "-D", data, "-m", "fast", "-w", "-t", "60", "stop"], dir);
      running = false;
    },
    destroy() {
      if (running) {
        try {
          run([`${BIN}/pg_ctl`, "-D", data, "-m", "immediate", "-w", "stop"], dir);
        } catch {
          // already down; the directory goes anyway
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    run([`${BIN}/initdb`, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], dir);
    cluster.start();
  } catch (err) {
    cluster.destroy();
    throw err;
  }
  return cluster;
}
