// Throwaway ClickHouse servers for tests (Debian's clickhouse-server, 18.16): a temp directory with
// a small XML config, HTTP and native ports on loopback outside the ephemeral range (they stay
// free while a server is stopped for an outage), no ZooKeeper. The shards of createClickhouseShards()
// listen on 127.0.0.2, 127.0.0.3, ... with the same ports, as servers of a real cluster would on
// their own hosts, and every one knows the cluster "xf" of all of them, one shard each.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { portFree, portRange } from "../store/pg-cluster.ts";

export const CLICKHOUSE_SERVER = "/usr/sbin/clickhouse-server";
export const haveClickhouse = existsSync(CLICKHOUSE_SERVER);

export interface ClickhouseServer {
  /** clickhouse://default@HOST:PORT/default */
  url: string;
  host: string;
  httpPort: number;
  tcpPort: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

async function freePorts(n: number): Promise<number[]> {
  const [from, to] = portRange();
  const out: number[] = [];
  for (let tries = 0; tries < 200 && out.length < n; tries++) {
    const p = from + Math.floor(Math.random() * (to - from + 1));
    if (!out.includes(p) && (await portFree(p))) out.push(p);
  }
  if (out.length < n) throw new Error("no free ports for a throwaway ClickHouse server");
  return out;
}

function configXml(dir: string, host: string, http: number, tcp: number, shards: readonly string[]): string {
  const cluster = shards.length === 0 ? "" : `<remote_servers><xf>${shards.map((h) => `<shard><replica><host>${h}</host><port>${tcp}</port></replica></shard>`).join("")}</xf></remote_servers>`;
  return `<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <listen_host>${host}</listen_host>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mlock_executable>false</mlock_executable>
  ${cluster}
</yandex>
`;
}

const USERS = `<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.0/8</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

/** One server, started. `shard`: its address and ports, and the addresses of every server of the cluster "xf" (its own included). */
export async function createClickhouse(shard?: { host: string; http: number; tcp: number; shards: readonly string[] }): Promise<ClickhouseServer> {
  const host = shard?.host ?? "127.0.0.1";
  const [http, tcp] = shard ? [shard.http, shard.tcp] : await freePorts(2);
  const dir = mkdtempSync(join(tmpdir(), "xenoflow-ch-"));
  writeFileSync(join(dir, "config.xml"), configXml(dir, host, http!, tcp!, shard?.shards ?? []));
  writeFileSync(join(dir, "users.xml"), USERS);
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  const logTail = () => {
    const f = join(dir, "error.log");
    return existsSync(f) ? `\n${readFileSync(f, "utf8").trimEnd().split("\n").slice(-10).join("\n")}` : "";
  };
  const server: ClickhouseServer = {
    url: `clickhouse://default@${host}:${http}/default`,
    host,
    httpPort: http!,
    tcpPort: tcp!,
    async start() {
      proc = Bun.spawn([CLICKHOUSE_SERVER, `--config-file=${join(dir, "config.xml")}`], { cwd: dir, stdout: "ignore", stderr: "pipe" });
      for (let i = 0; i < 300; i++) {
        if (proc.exitCode !== null) throw new Error(`clickhouse-server exited with ${proc.exitCode}${logTail()}`);
        // Connection: close, or the server's shutdown waits 10 s for this idle keep-alive connection.
        const ok = await fetch(`http://${host}:${http}/ping`, { headers: { connection: "close" } }).then((r) => r.ok, () => false);
        if (ok) return;
        await Bun.sleep(100);
      }
      throw new Error(`clickhouse-server did not answer on port ${http} within 30 s${logTail()}`);
    },
    async stop() {
      const p = proc;
      if (!p) return;
      proc = null;
      p.kill("SIGTERM");
      const killer = setTimeout(() => p.kill("SIGKILL"), 30_000);
      await p.exited;
      clearTimeout(killer);
    },
    async destroy() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (err) {
    await server.destroy();
    throw err;
  }
  return server;
}

/** Two servers on 127.0.0.2 and 127.0.0.3, each one shard of the cluster "xf". */
export async function createClickhouseShards(): Promise<ClickhouseServer[]> {
  const [http, tcp] = await freePorts(2);
  const shards = ["127.0.0.2", "127.0.0.3"];
  const a = await createClickhouse({ host: shards[0]!, http: http!, tcp: tcp!, shards });
  try {
    return [a, await createClickhouse({ host: shards[1]!, http: http!, tcp: tcp!, shards })];
  } catch (err) {
    await a.destroy();
    throw err;
  }
}
