// `xenoflow gen`: synthetic NetFlow v5/v9/IPFIX and sFlow v5 load (DESIGN.md section 2). Progress on stderr
// only for a human at a terminal; the JSON summary on stdout for scripts and benchmarks.
import { defineCommand } from "citty";
import { GEN_DEFAULTS, type GenArgs, parseGenArgs } from "../gen/options.ts";
import { type Summary, send } from "../gen/send.ts";

const s = (description: string, valueHint?: string) => ({ type: "string" as const, description, valueHint });

export default defineCommand({
  meta: { name: "gen", description: "synthetic NetFlow/IPFIX/sFlow load generator (benchmarks, demos)" },
  args: {
    to: s("collector address (required; loopback unless --allow-remote)", "HOST:PORT"),
    fps: s(`flow records per second over all exporters, 0 = as fast as possible (default ${GEN_DEFAULTS.fps})`, "N"),
    duration: s("stop after this long (seconds or 30s, 5m; default: until interrupted)", "S"),
    count: s("stop after exactly this many flow records", "N"),
    version: s(`export format: 5, 9, 10 (IPFIX) or sflow (sFlow v5) (default ${GEN_DEFAULTS.version})`, "5|9|10|sflow"),
    sampling: s("sFlow: the sampling rate every sample carries (default 1)", "N"),
    exporters: s(`emulated exporters, one socket and source port each (default ${GEN_DEFAULTS.exporters})`, "N"),
    records: s("flow records per datagram (default 30 for v5, 6 for sflow, 29 otherwise)", "N"),
    "hosts-src": s(`distinct source hosts (default ${GEN_DEFAULTS.hostsSrc})`, "N"),
    "hosts-dst": s(`distinct destination hosts (default ${GEN_DEFAULTS.hostsDst})`, "N"),
    "src-nets": s(`source prefixes, comma-separated (default ${GEN_DEFAULTS.srcNets})`, "CIDRS"),
    "dst-nets": s(`destination prefixes, comma-separated (default ${GEN_DEFAULTS.dstNets})`, "CIDRS"),
    zipf: s("Zipf exponent of host popularity, 0 = uniform (default 0)", "S"),
    "web-share": s(`share of TCP flows to port 443/80 (default ${GEN_DEFAULTS.webShare})`, "0..1"),
    octets: s(`octets per flow record, N or MIN-MAX (default ${GEN_DEFAULTS.octets})`, "N"),
    seed: s(`random seed of the record mix (default ${GEN_DEFAULTS.seed})`, "N"),
    pool: s(`datagrams pre-encoded and cycled (default ${GEN_DEFAULTS.pool})`, "K"),
    "template-every": s(`send the template every N datagrams per exporter (default ${GEN_DEFAULTS.templateEvery})`, "N"),
    "template-interval": s(`and at least this often (default ${GEN_DEFAULTS.templateInterval})`, "S"),
    "allow-remote": { type: "boolean", description: "allow a non-loopback --to" },
  },
  async run({ args }) {
    const options = parseGenArgs(args as GenArgs);
    const tty = process.stderr.isTTY === true;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const summary = await send({
        ...options,
        signal: stop.signal,
        progress: tty ? (p: Summary) => process.stderr.write(`\r${progressLine(p)}\x1b[K`) : undefined,
      });
      if (tty) process.stderr.write("\n");
      console.log(JSON.stringify(summary));
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    return 0;
  },
});

function progressLine(p: Summary): string {
  return `sent ${p.flows.toLocaleString("en-US")} flows in ${p.datagrams.toLocaleString("en-US")} datagrams, ${Math.round(p.rate_fps).toLocaleString("en-US")} flows/s`;
}
