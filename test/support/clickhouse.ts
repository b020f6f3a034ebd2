// Throwaway ClickHouse servers for tests (Debian's clickhouse-server, 18.16): a temp directory with
// a small XML config, HTTP and native ports on loopback outside the ephemeral range (they stay
// free while a server is stopped for an outage), no ZooKeeper. With `shards`, every server knows
// the cluster "xf" of all of them, one shard each, for Distributed tables.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { portFree, portRange } from "../store/pg-cluster.ts";

export const CLICKHOUSE_SERVER = "/usr/sbin/clickhouse-server";
export const haveClickhouse = existsSync(CLICKHOUSE_SERVER);

export interface ClickhouseServer {
  /** clickhouse://default@127.0.0.1:PORT/default */
  url: string;
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

function configXml(dir: string, http: number, tcp: number, shards: readonly number[]): string {
  const cluster = shards.length === 0 ? "" : `<remote_servers><xf>${shards.map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`).join("")}</xf></remote_servers>`;
  return `<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
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
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

/** One server, started. `shardPorts`: native ports of every server of the "xf" cluster (its own included). */
export async function createClickhouse(ports?: { http: number; tcp: number; shardPorts: readonly number[] }): Promise<ClickhouseServer> {
  const [http, tcp] = ports ? [ports.http, ports.tcp] : await freePorts(2);
  const dir = mkdtempSync(join(tmpdir(), "xenoflow-ch-"));
  writeFileSync(join(dir, "config.xml"), configXml(dir, http!, tcp!, ports?.shardPorts ?? []));
  writeFileSync(join(dir, "users.xml"), USERS);
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  const logTail = () => {
    const f = join(dir, "error.log");
    return existsSync(f) ? `\n${readFileSync(f, "utf8").trimEnd().split("\n").slice(-10).join("\n")}` : "";
  };
  const server: ClickhouseServer = {
    url: `clickhouse://default@127.0.0.1:${http}/default`,
    httpPort: http!,
    tcpPort: tcp!,
    async start() {
      proc = Bun.spawn([CLICKHOUSE_SERVER, `--config-file=${join(dir, "config.xml")}`], { cwd: dir, stdout: "ignore", stderr: "pipe" });
      for (let i = 0; i < 300; i++) {
        if (proc.exitCode !== null) throw new Error(`clickhouse-server exited with ${proc.exitCode}${logTail()}`);
        const ok = await fetch(`http://127.0.0.1:${http}/ping`).then((r) => r.ok, () => false);
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

/** Two servers, each one shard of the cluster "xf". */
export async function createClickhouseShards(): Promise<ClickhouseServer[]> {
  const [h1, t1, h2, t2] = await freePorts(4);
  const shardPorts = [t1!, t2!];
  const a = await createClickhouse({ http: h1!, tcp: t1!, shardPorts });
  try {
    return [a, await createClickhouse({ http: h2!, tcp: t2!, shardPorts })];
  } catch (err) {
    await a.destroy();
    throw err;
  }
}
