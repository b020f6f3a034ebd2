// Listen addresses as the config and the CLI write them ("0.0.0.0:2055", "[::]:4739").
import type { ListenAddress } from "../config/types.ts";
import { formatV4, formatV6, parseAddressWords } from "./address.ts";

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** "0.0.0.0:2055", "[::]:4739", "localhost:9655"; the port 1..65535. */
export function parseListen(text: string): ListenAddress | string {
  const expected = `expected HOST:PORT like "0.0.0.0:2055" or "[::]:4739", found "${text}"`;
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!m) return expected;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `port must be 1..65535, found ${port} in "${text}"`;
  const w = [0, 0, 0, 0];
  if (m[1] !== undefined) {
    if (parseAddressWords(m[1], w) !== 6) return `expected an IPv6 address inside [], found "${m[1]}"`;
    return { host: formatV6(w[0] ?? 0, w[1] ?? 0, w[2] ?? 0, w[3] ?? 0), port };
  }
  const host = m[2] ?? "";
  if (parseAddressWords(host, w) === 4) return { host: formatV4(w[0] ?? 0), port };
  if (/^[\d.]+$/.test(host) || !HOSTNAME.test(host)) return expected;
  return { host, port };
}

export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  const w = [0, 0, 0, 0];
  return parseAddressWords(host, w) === 4 && (w[0] ?? 0) >>> 24 === 127;
}

export function formatListen(l: ListenAddress): string {
  return l.host.includes(":") ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
}
