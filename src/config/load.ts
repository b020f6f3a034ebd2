// parse -> validate -> one deep-frozen, fully-defaulted Config. Every problem in every file is
// collected and thrown together as one ConfigError, each located FILE:LINE:COL.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import toml from "toml";
import { type ConfigIssue, ConfigError } from "../errors.ts";
import type { ExpressionChecker } from "./expressions.ts";
import { ENRICH_KEYS, NETWORK_KEYS, readEnrich, readNetworks, readNetworksCsv } from "./enrich.ts";
import { EXPORTER_KEYS, FIELD_KEYS, readExporters, readFields } from "./fields.ts";
import { deepFreeze } from "./freeze.ts";
import { expandIncludes } from "./include.ts";
import { locate } from "./locate.ts";
import { MO_KEYS, readMo } from "./mo.ts";
import { nonEmpty } from "./parsers.ts";
import { type Reader, type Source, isTable, reader } from "./reader.ts";
import { checkRefs } from "./refs.ts";
import { syntaxIssue } from "./syntax.ts";
import {
  ALERTS_KEYS,
  COLLECTOR_KEYS,
  DEBUG_KEYS,
  HTTP_KEYS,
  STORAGE_KEYS,
  readAlerts,
  readCollector,
  readDebug,
  readHttp,
  readStorage,
} from "./sections.ts";
import type { Config } from "./types.ts";

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  expressions?: ExpressionChecker;
}

const TOP_KEYS = ["data_dir", "include", "collector", "storage", "http", "alerts", "debug", "enrich", "network", "field", "exporter", "mo"];
const INCLUDED_KEYS = ["mo", "field"];

export const INSTALLED_CONFIG = "/etc/xenoflow/xenoflow.toml";

/** `config/xenoflow.toml` when run from a checkout (it exists in the cwd), else the installed path. */
export function defaultConfigPath(cwd: string = process.cwd()): string {
  const local = resolve(cwd, "config/xenoflow.toml");
  return existsSync(local) ? local : INSTALLED_CONFIG;
}

/** The file the CLI loads: `-c`, else XENOFLOW_CONFIG, else the default. */
export function configPath(cli: string | undefined, env: Record<string, string | undefined> = process.env): string {
  return cli || env.XENOFLOW_CONFIG || defaultConfigPath();
}

export function loadConfig(file: string, opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const abs = resolve(file);
  const dir = dirname(abs);
  const issues: ConfigIssue[] = [];
  const main = parseFile(abs, issues);
  if (!main) throw new ConfigError(issues);

  const top = reader(main.src, "", main.raw, TOP_KEYS, issues);
  const dataDir = resolve(dir, top.opt("data_dir", nonEmpty, "var"));
  const collector = readCollector(top.table("collector", COLLECTOR_KEYS));
  const storage = { ...readStorage(top.table("storage", STORAGE_KEYS), dir, dataDir, env.XENOFLOW_DB_URL, issues), collector: collector.name };
  const http = readHttp(top.table("http", HTTP_KEYS), dir);
  const alerts = readAlerts(top.table("alerts", ALERTS_KEYS));
  const debug = readDebug(top.table("debug", DEBUG_KEYS), dir);
  const inline = readNetworks(top.tables("network", NETWORK_KEYS));
  const enrich = { ...readEnrich(top.table("enrich", ENRICH_KEYS), dir), inlineNetworks: inline.length };
  const networks = enrich.networks === null ? inline : [...inline, ...readNetworksCsv(enrich.networks, inline, issues)];

  const files: Reader[] = [top];
  for (const f of expandIncludes(top)) {
    const inc = parseFile(f, issues);
    if (inc) files.push(reader(inc.src, "", inc.raw, INCLUDED_KEYS, issues));
  }
  const fields = readFields(files.flatMap((r) => r.tables("field", FIELD_KEYS)));
  const exporters = readExporters(top.tables("exporter", EXPORTER_KEYS), dir);
  const ctx = { dir, fields, expressions: opts.expressions };
  const drafts = files.flatMap((r) => r.tables("mo", MO_KEYS)).map((t) => readMo(t, ctx));
  const mos = checkRefs(drafts);

  if (issues.length > 0) throw new ConfigError(sortIssues(issues, files.map((r) => r.src.file)));
  return deepFreeze({ file: abs, dataDir, collector, storage, http, alerts, debug, enrich, networks, fields, exporters, mos });
}

function parseFile(file: string, issues: ConfigIssue[]): { src: Source; raw: Record<string, unknown> } | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (err as Error).message;
    issues.push({ file, message: `cannot read the configuration: ${why}` });
    return null;
  }
  try {
    const raw: unknown = toml.parse(text);
    return { src: { file, map: locate(text) }, raw: isTable(raw) ? raw : {} };
  } catch (err) {
    issues.push(syntaxIssue(file, text, err));
    return null;
  }
}

/** File order (main file first, then includes), then line and column; unlocated ones last. */
function sortIssues(issues: ConfigIssue[], files: readonly string[]): ConfigIssue[] {
  const rank = (i: ConfigIssue): number => {
    const k = files.indexOf(i.file);
    return k < 0 ? files.length : k;
  };
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort(
      (a, b) =>
        rank(a.issue) - rank(b.issue) ||
        (a.issue.line ?? Number.MAX_SAFE_INTEGER) - (b.issue.line ?? Number.MAX_SAFE_INTEGER) ||
        (a.issue.col ?? 0) - (b.issue.col ?? 0) ||
        a.n - b.n,
    )
    .map((x) => x.issue);
}
