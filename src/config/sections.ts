// The plain sections of the main file: [collector], [storage], [http], [alerts], [debug], with
// their defaults (DESIGN.md section 3). Monitoring objects are in mo.ts.
import { hostname } from "node:os";
import type { ConfigIssue } from "../errors.ts";
import { parseClickhouseUrl } from "../store/clickhouse-conn.ts";
import { readSecret, resolveFrom } from "./files.ts";
import { formatListen, isLoopback } from "../net/listen.ts";
import { COLLECTOR_NAME, cidr, duration, int, listen, nonEmpty, size, str, wholeSeconds } from "./parsers.ts";
import { type Reader, invalid, isInvalid } from "./reader.ts";
import type { Config, ListenAddress } from "./types.ts";

export const COLLECTOR_KEYS = [
  "name",
  "listen",
  "workers",
  "recv_buffer",
  "allow",
  "templates_per_exporter",
  "templates_total",
  "pending_bytes",
  "pending_time",
  "pending_bytes_total",
  "options_per_exporter",
  "options_total",
] as const;

export function readCollector(t: Reader): Config["collector"] {
  const items = t.items("listen", listen);
  const seen = new Set<string>();
  for (const { value, at } of items) {
    const k = formatListen(value);
    if (seen.has(k)) t.report(at, `\`listen\`: duplicate address ${k}`);
    seen.add(k);
  }
  const templatesPerExporter = t.opt("templates_per_exporter", int(1), 1024);
  const templatesTotal = t.opt("templates_total", int(1), 65536);
  const pendingBytesPerExporter = t.opt("pending_bytes", size(0), 2 ** 20);
  return {
    name: t.opt("name", collectorName, defaultCollectorName()),
    listen: t.has("listen") ? items.map((x) => x.value) : DEFAULT_LISTEN,
    workers: t.opt("workers", int(1, 256), 1),
    recvBuffer: t.opt("recv_buffer", size(4096), 16 * 2 ** 20),
    allow: t.list("allow", cidr, []),
    templatesPerExporter,
    templatesTotal,
    pendingBytesPerExporter,
    pendingSeconds: t.opt("pending_time", duration(0), 30),
    // Bounds against spoofed exporters: held data in total, options state (samplers, domains).
    pendingBytesTotal: t.opt("pending_bytes_total", size(0), 64 * pendingBytesPerExporter),
    optionsPerExporter: t.opt("options_per_exporter", int(1), templatesPerExporter),
    optionsTotal: t.opt("options_total", int(1), templatesTotal),
  };
}

// Fleet (DESIGN.md section 5): the name every row and exactly-once record of this collector carries
// in a shared database.
const collectorName = (v: unknown) => {
  const s = str(v);
  if (isInvalid(s)) return s;
  return COLLECTOR_NAME.test(s) ? s : invalid(`invalid collector name "${s}": use letters, digits, ".", "_" and "-" (at most 63), starting with a letter or digit`);
};

/** The host name up to its first dot, or "xenoflow" when it is not a valid collector name. */
export function defaultCollectorName(host: string = hostname()): string {
  const short = host.split(".")[0] ?? "";
  return COLLECTOR_NAME.test(short) ? short : "xenoflow";
}

const DEFAULT_LISTEN: readonly ListenAddress[] = [
  { host: "0.0.0.0", port: 2055 },
  { host: "0.0.0.0", port: 4739 },
];

export const STORAGE_KEYS = ["url", "retention", "spool_max", "password_file", "partition", "interface_counters"] as const;

/** "sqlite:PATH" (relative to the config directory) or a postgres URL; or what is wrong. */
export function parseStorageUrl(url: string, dir: string): { url: string; kind: Config["storage"]["kind"] } | string {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path === "") return `expected "sqlite:PATH", found "${url}"`;
    return { url: path === ":memory:" ? url : `sqlite:${resolveFrom(dir, path)}`, kind: "sqlite" };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      if (new URL(url).hostname === "" && !url.includes("host=")) return `no host in "${url}"`;
      return { url, kind: "postgres" };
    } catch {
      return `not a valid URL: "${url}"`;
    }
  }
  if (url.startsWith("clickhouse://")) {
    try {
      parseClickhouseUrl(url);
      return { url, kind: "clickhouse" };
    } catch (err) {
      return (err as Error).message.replace(/^storage\.url [^:]*: /, "");
    }
  }
  return `expected "sqlite:PATH", "postgres://user@host:5432/db" or "clickhouse://user@host:8123/db", found "${url}"`;
}

export function readStorage(
  t: Reader,
  dir: string,
  dataDir: string,
  envUrl: string | undefined,
  issues: ConfigIssue[],
): Omit<Config["storage"], "collector"> {
  const parseUrl = (v: unknown) => {
    const s = str(v);
    if (isInvalid(s)) return s;
    const r = parseStorageUrl(s, dir);
    return typeof r === "string" ? invalid(r) : r;
  };
  const fromFile = t.opt("url", parseUrl, { url: `sqlite:${dataDir}/xenoflow.sqlite`, kind: "sqlite" as const });
  let storage = fromFile;
  if (envUrl !== undefined && envUrl !== "") {
    const r = parseStorageUrl(envUrl, dir);
    if (typeof r === "string") issues.push({ file: "XENOFLOW_DB_URL (environment)", message: r });
    else storage = r;
  }
  const passwordFile = t.opt("password_file", nonEmpty, "");
  if (passwordFile !== "") {
    if (fromFile.kind !== "postgres" && storage.kind !== "postgres") {
      t.report("password_file", "`password_file`: applies only to a postgres url");
    } else if (t.has("url") && fromFile.kind === "postgres" && new URL(fromFile.url).password !== "") {
      t.report("password_file", "`password_file`: the url already holds a password; keep it in one place");
    } else if (storage.kind === "postgres" && new URL(storage.url).password === "") {
      const secret = readSecret(resolveFrom(dir, passwordFile));
      if ("problem" in secret) t.report("password_file", `\`password_file\`: ${secret.problem}`);
      else {
        const u = new URL(storage.url);
        u.password = encodeURIComponent(secret.value);
        storage = { url: u.toString(), kind: "postgres" };
      }
    }
  }
  return {
    ...storage,
    retention: t.opt("retention", duration(3600), 30 * 86400),
    spoolMax: t.opt("spool_max", size(0), 512 * 2 ** 20),
    partition: readPartition(t, storage.kind),
    // sFlow counter samples as rates in xenoflow_interfaces this often, in whole seconds; "" = 0, off.
    interfaceCounters: t.raw("interface_counters") === "" ? 0 : t.opt("interface_counters", wholeSeconds(1), 60),
  };
}

/**
 * `partition`: PostgreSQL window tables partitioned by time in whole days (a partition is named
 * `<table>_YYYYMMDD`, which fits PostgreSQL's 63 bytes after the longest table name); "" or absent
 * is off. ClickHouse tables are partitioned by day whatever it says; SQLite has no partitions.
 */
function readPartition(t: Reader, kind: Config["storage"]["kind"]): number {
  if (t.raw("partition") === "" || !t.has("partition")) return 0;
  const seconds = t.opt("partition", duration(86400), 0);
  if (seconds % 86400 !== 0) t.report("partition", "`partition`: must be a whole number of days, such as \"1d\" or \"7d\"");
  else if (kind === "sqlite") t.report("partition", "`partition`: applies to a postgres or clickhouse url");
  return seconds;
}

export const HTTP_KEYS = ["listen", "token", "token_file"] as const;

export function readHttp(t: Reader, dir: string): Config["http"] {
  // "" turns the HTTP server off.
  const address = t.raw("listen") === "" ? null : t.opt("listen", listen, { host: "127.0.0.1", port: 9655 });
  let token = t.opt("token", nonEmpty, null as string | null);
  const tokenFile = t.opt("token_file", nonEmpty, "");
  if (tokenFile !== "") {
    if (token !== null) t.report("token_file", "`token_file`: set either `token` or `token_file`, not both");
    const secret = readSecret(resolveFrom(dir, tokenFile));
    if ("problem" in secret) t.report("token_file", `\`token_file\`: ${secret.problem}`);
    else token = secret.value;
  }
  if (address && token === null && !t.has("token_file") && !isLoopback(address.host)) {
    t.report(
      "listen",
      `\`listen\`: ${formatListen(address)} is reachable from other machines; set \`token\` or \`token_file\`, or listen on 127.0.0.1`,
    );
  }
  return { listen: address, token };
}

export const ALERTS_KEYS = ["script_timeout", "script_concurrency"] as const;

export function readAlerts(t: Reader): Config["alerts"] {
  return {
    scriptTimeout: t.opt("script_timeout", duration(0.1), 30),
    scriptConcurrency: t.opt("script_concurrency", int(1, 1024), 4),
  };
}

export const DEBUG_KEYS = ["dump_flows"] as const;

export function readDebug(t: Reader, dir: string): Config["debug"] {
  const dump = t.opt("dump_flows", str, "");
  return { dumpFlows: dump === "" || dump === "stdout" ? dump : resolveFrom(dir, dump) };
}
