// `xenoflow decode CAPTURE [--format jsonl|text] [--port N]`: every flow record (or sFlow sample) of a capture, in
// the DESIGN.md section 4 format; decode faults (only the non-zero ones) on stderr at the end.
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { decodeCapture } from "../capture/decode.ts";
import type { FlowRecord } from "../decode/index.ts";
import { XenoflowError, inputFileError, noFlowDatagrams } from "../errors.ts";

const META = new Set(["exporter", "version", "domain", "template", "options", "counters", "dropped"]);

/** The heading line: NetFlow/IPFIX name domain and template; sFlow the sub-agent and the sample kind. */
function heading(frame: number, r: FlowRecord): string {
  if (typeof r.version === "string") {
    return `frame ${frame}  ${r.exporter}  ${r.version}  sub-agent ${r.domain}${r.counters ? "  counters" : r.dropped ? "  dropped" : ""}`;
  }
  return `frame ${frame}  ${r.exporter}  v${r.version}  domain ${r.domain}  template ${r.template}${r.options ? "  options" : ""}`;
}

/** One record as an aligned block: a heading line, then one field per line. */
export function textBlock(frame: number, r: FlowRecord): string {
  const head = heading(frame, r);
  const names = Object.keys(r).filter((k) => !META.has(k) && r[k] !== undefined);
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = names.map((n) => {
    const v = r[n];
    const text = Array.isArray(v) ? v.map((x) => String(x)).join(", ") : String(v);
    const when = (n === "flowStartMilliseconds" || n === "flowEndMilliseconds") && typeof v === "number" && Number.isFinite(v)
      ? `  (${new Date(v).toISOString()})` : "";
    return `  ${n.padEnd(width)}  ${text}${when}`;
  });
  return [head, ...lines].join("\n");
}

export default defineCommand({
  meta: { name: "decode", description: "decode NetFlow/IPFIX/sFlow datagrams from a pcap or pcapng file, one flow record per line" },
  args: {
    capture: { type: "positional", required: true, description: "pcap or pcapng file" },
    format: { type: "string", default: "jsonl", description: "jsonl | text" },
    port: { type: "string", description: "only datagrams to this UDP port" },
  },
  run({ args }) {
    const format = String(args.format);
    if (format !== "jsonl" && format !== "text") throw new XenoflowError("E_USAGE", `--format must be jsonl or text, not "${format}"`);
    let ports: number[] | undefined;
    if (args.port !== undefined) {
      const p = Number(args.port);
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new XenoflowError("E_USAGE", `--port must be 1..65535, not "${args.port}"`);
      ports = [p];
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(String(args.capture)));
    } catch (err) {
      throw inputFileError(String(args.capture), err);
    }
    const { rows, faults, flowDatagrams } = decodeCapture(bytes, ports ? { ports } : {});
    if (flowDatagrams === 0) throw noFlowDatagrams(String(args.capture), ports);
    const out: string[] = [];
    for (const { frame, record } of rows) out.push(format === "jsonl" ? JSON.stringify(record) : `${textBlock(frame, record)}\n`);
    if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`);
    const bad = Object.entries(faults).filter(([, n]) => n > 0);
    if (bad.length > 0) console.error(`decode faults: ${bad.map(([k, n]) => `${k}=${n}`).join(" ")}`);
    return 0;
  },
});
