// Where the generated load goes. Loopback only unless the operator says otherwise: a load
// generator pointed at a production collector by a typo is an outage.
import { XenoflowError } from "../errors.ts";
import { parseAddressWords } from "../net/address.ts";

export interface Target {
  host: string;
  port: number;
  family: 4 | 6;
}

export function parseTarget(text: string, allowRemote: boolean): Target {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new XenoflowError("E_USAGE", `--to must be HOST:PORT or [IPv6]:PORT, got "${text}"`);
  }
  const name = m[1] as string;
  const host = name === "localhost" ? "127.0.0.1" : name;
  const words = new Uint32Array(4);
  const kind = parseAddressWords(host, words);
  if (kind === 0) {
    if (!allowRemote) throw new XenoflowError("E_USAGE", `--to ${name}: give an address (host names are resolved only with --allow-remote)`);
    return { host, port, family: 4 };
  }
  if (!allowRemote && !isLoopback(kind, words)) {
    throw new XenoflowError("E_USAGE", `--to ${host} is not a loopback address; add --allow-remote to send there`);
  }
  return { host, port, family: kind };
}

function isLoopback(kind: 4 | 6, w: Uint32Array): boolean {
  if (kind === 4) return (w[0] ?? 0) >>> 24 === 127; // 127.0.0.0/8, RFC 1122 3.2.1.3
  return w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 1; // ::1, RFC 4291 2.5.3
}
