// `xenoflow check [-c FILE]`: load the configuration as `run` would and print what it means.
// Errors leave through ConfigError, so the CLI boundary prints one FILE:LINE:COL line each.
import { defineCommand } from "citty";
import { configPath, loadConfig } from "../config/load.ts";
import { expressionChecker } from "../expressions.ts";
import { formatListen } from "../net/listen.ts";
import type { Config, MoDef } from "../config/types.ts";
import { formatDuration, formatSize } from "../config/units.ts";
import { configFlag } from "./flags.ts";
import { paint } from "./tty.ts";

export default defineCommand({
  meta: { name: "check", description: "validate the configuration and print a summary" },
  args: { config: configFlag },
  run({ args }) {
    const config = loadConfig(configPath(args.config), { expressions: expressionChecker });
    console.log(summary(config).join("\n"));
    return 0;
  },
});

export function summary(c: Config): string[] {
  const out: string[] = [`${paint("green", "ok", process.stdout)} ${c.file}`, `data_dir   ${c.dataDir}`];
  const col = c.collector;
  out.push(
    `collector  ${col.listen.map(formatListen).join(", ") || "(no listeners)"} udp, ${col.workers} worker(s), recv_buffer ${formatSize(col.recvBuffer)}`,
    `           allow ${col.allow.length === 0 ? "any exporter" : col.allow.map((a) => a.text).join(", ")}`,
    `storage    ${redact(c.storage.url)}, retention ${formatDuration(c.storage.retention)}, spool_max ${formatSize(c.storage.spoolMax)}`,
    `http       ${c.http.listen ? formatListen(c.http.listen) : "off"}${c.http.token ? " (token required)" : ""}`,
    `alerts     script_timeout ${formatDuration(c.alerts.scriptTimeout)}, script_concurrency ${c.alerts.scriptConcurrency}`,
  );
  if (c.debug.dumpFlows) out.push(`debug      dump_flows ${c.debug.dumpFlows}`);
  for (const f of c.fields) out.push(`field      ${f.name} = element ${f.pen ? `${f.pen}/` : ""}${f.element} (${f.type})`);
  const en = c.enrich;
  if (en.country || en.asn) out.push(`enrich     country ${en.country ?? "-"}, asn ${en.asn ?? "-"}, as_source ${en.asSource}`);
  if (c.networks.length > 0) {
    out.push(`networks   ${c.networks.length} prefixes, ${new Set(c.networks.map((n) => n.name)).size} names${en.networks ? ` (with ${en.networks})` : ""}`);
  }
  for (const e of c.exporters) {
    const extra = [
      e.samplingRate ? `sampling 1:${e.samplingRate}` : "",
      e.snmpCommunity !== null ? `snmp every ${formatDuration(e.snmpEvery)}` : "",
      e.interfaces.length > 0 ? `${e.interfaces.length} interface(s)` : "",
      e.skipUnmarked ? "skip_unmarked" : "",
    ].filter(Boolean);
    out.push(`exporter   ${e.address.text} ${e.name}${extra.length > 0 ? `, ${extra.join(", ")}` : ""}`);
  }
  out.push(`monitoring objects (${c.mos.length}):`);
  const children = (parent: string | null): MoDef[] => c.mos.filter((m) => m.parent === parent);
  const walk = (mo: MoDef, indent: string): void => {
    out.push(`${indent}${paint("bold", mo.name, process.stdout)}  filter: ${mo.filter === "" ? "(every flow)" : mo.filter}`);
    const inner = `${indent}    `;
    for (const w of mo.windows) {
      const flags = [w.top ? `top ${w.top}` : "", w.extended ? "extended" : ""].filter(Boolean).join(", ");
      out.push(`${inner}window ${w.name} every ${formatDuration(w.every)} key [${w.key.join(", ")}] values [${w.values.join(", ")}]${flags ? ` ${flags}` : ""} -> table ${mo.name}_${w.name}`);
    }
    for (const a of mo.mavgs) {
      out.push(`${inner}mavg ${a.name} over ${formatDuration(a.window)} key [${a.key.join(", ")}] values [${a.values.join(", ")}] max_keys ${a.maxKeys}`);
      for (const l of a.limits) {
        const th = Object.entries(l.thresholds).map(([v, n]) => `${v} > ${si(n)}/s`);
        if (l.file) th.push(`per-key ${l.file}`);
        out.push(`${inner}    limit ${l.name}: ${th.join(", ")}; normal after ${formatDuration(l.normalAfter)}`);
        if (l.onExceed) out.push(`${inner}        on_exceed ${l.onExceed}`);
        if (l.onNormal) out.push(`${inner}        on_normal ${l.onNormal}`);
        if (l.enable.length) out.push(`${inner}        enables ${l.enable.join(", ")}`);
      }
    }
    for (const child of children(mo.name)) walk(child, `${indent}  `);
  };
  for (const root of children(null)) walk(root, "  ");
  return out;
}

/** 500e6 -> "500M": thresholds are written in exponent form and read best that way. */
function si(n: number): string {
  for (const [unit, k] of [["G", 1e9], ["M", 1e6], ["k", 1e3]] as const) if (n >= k && n % k === 0) return `${n / k}${unit}`;
  return String(n);
}

/** The summary may be pasted into a ticket: never print a database password. */
function redact(url: string): string {
  if (!url.startsWith("postgres")) return url;
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
