// A throwaway PostgreSQL 15 cluster for tests that stop and start the server: initdb into a temp
// directory as the postgres OS user, a random port from 55432 up, its socket in that directory.
// Never touches the shared server on 5432.
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = "/usr/lib/postgresql/15/bin";

function run(cmd: string[]): void {
  const p = Bun.spawnSync(["runuser", "-u", "postgres", "--", ...cmd], { stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${p.exitCode}): ${p.stderr.toString()}${p.stdout.toString()}`);
}

function portFree(port: number): Promise<boolean> {
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
  for (let tries = 0; tries < 50 && port === 0; tries++) {
    const p = 55432 + Math.floor(Math.random() * 2000);
    if (await portFree(p)) port = p;
  }
  if (port === 0) throw new Error("no free port for the throwaway cluster");
  const data = join(dir, "data");
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start() {
      running = true; // also when start fails half-way: destroy() then still stops it
      run([`${BIN}/pg_ctl`, "-D", data, "-l", join(dir, "log"), "-w", "-t", "60", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
    },
    stop() {
      run([`${BIN}/pg_ctl`, "-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
      running = false;
    },
    destroy() {
      if (running) {
        try {
          run([`${BIN}/pg_ctl`, "-D", data, "-m", "immediate", "-w", "stop"]);
        } catch {
          // already down; the directory goes anyway
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    run([`${BIN}/initdb`, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
    cluster.start();
  } catch (err) {
    cluster.destroy();
    throw err;
  }
  return cluster;
}
