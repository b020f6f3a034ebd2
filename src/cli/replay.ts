// `xenoflow replay CAPTURE --to HOST:PORT`: sends a capture's NetFlow/IPFIX datagrams to a
// collector, paced like the original (or at a fixed rate), for demos, tests and benchmarks.
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { XenoflowError, inputFileError, noFlowDatagrams } from "../errors.ts";
import { readCapture } from "../capture/pcap.ts";
import { type Pace, plan } from "../replay/plan.ts";
import { isLoopback, parseTarget, send } from "../replay/send.ts";

function number(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new XenoflowError("E_USAGE", `--${name} wants a number, not "${text}"`);
  return n;
}

export default defineCommand({
  meta: { name: "replay", description: "send a capture's NetFlow/IPFIX datagrams to a collector" },
  args: {
    capture: { type: "positional", required: true, description: "pcap or pcapng file" },
    // Checked here rather than by citty, so that a missing --to is a usage error (exit 1).
    to: { type: "string", description: "collector HOST:PORT (required; loopback unless --allow-remote)" },
    speed: { type: "string", description: "multiple of the captured pace (default 1; 0 = as fast as possible)" },
    pps: { type: "string", description: "datagrams per second instead of the captured pace" },
    loop: { type: "string", description: "send the capture this many times (default 1)" },
    port: { type: "string", description: "only datagrams the capture sent to this UDP port" },
    "allow-remote": { type: "boolean", description: "allow a destination outside loopback" },
  },
  async run({ args }) {
    if (args.to === undefined || args.to === "") throw new XenoflowError("E_USAGE", "replay needs --to HOST:PORT");
    const to = parseTarget(String(args.to));
    if (!isLoopback(to.host) && !args["allow-remote"]) {
      throw new XenoflowError("E_USAGE", `${to.host} is not a loopback address; add --allow-remote to send there`);
    }
    if (args.speed !== undefined && args.pps !== undefined) throw new XenoflowError("E_USAGE", "--speed and --pps exclude each other");
    const pace: Pace = args.pps !== undefined ? { pps: number("pps", args.pps, 0) } : { speed: number("speed", args.speed, 1) };
    const loops = number("loop", args.loop, 1);
    const onlyPort = args.port === undefined ? undefined : number("port", args.port, 0);

    const file = String(args.capture);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (err) {
      throw inputFileError(file, err);
    }
    const { datagrams } = readCapture(bytes, onlyPort === undefined ? {} : { ports: [onlyPort] });
    const p = plan(datagrams, pace, loops);
    if (p.payloads.length === 0) throw noFlowDatagrams(file, onlyPort === undefined ? undefined : [onlyPort]);

    const tty = process.stderr.isTTY === true;
    const progress = tty ? (sent: number, total: number) => process.stderr.write(`\rsent ${sent}/${total}`) : undefined;
    const r = await send(p, to, progress);
    if (tty) process.stderr.write("\n");
    const target = to.host.includes(":") ? `[${to.host}]:${to.port}` : `${to.host}:${to.port}`;
    console.log(`sent ${r.sent} datagrams (${r.bytes} bytes) to ${target} in ${(r.ms / 1000).toFixed(2)} s`);
    return 0;
  },
});
