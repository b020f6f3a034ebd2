// What both receivers check: the exporter allowlist per datagram, the receive buffer per socket.
import type { Cidr } from "../config/types.ts";
import { cidrContains, parseAddressWords } from "../net/address.ts";
import type { ReceiverOptions } from "./types.ts";

/**
 * The allowlist test, remembered for the last address (exporters send runs of datagrams) and
 * redone when a reload replaces `opts.allow`.
 */
export function createAllowCheck(opts: Pick<ReceiverOptions, "allow">): (addr: string) => boolean {
  const words = new Uint32Array(4);
  let list: readonly Cidr[] | null = null;
  let last = "";
  let lastOk = false;
  return (addr) => {
    if (opts.allow.length === 0) return true;
    if (addr === last && list === opts.allow) return lastOk;
    list = opts.allow;
    last = addr;
    lastOk = false;
    const family = parseAddressWords(addr, words);
    if (family !== 0) for (const c of opts.allow) if (cidrContains(c, family, words)) lastOk = true;
    return lastOk;
  };
}

export function cappedBufferWarning(got: number, asked: number): string {
  return (
    `receive buffer capped at ${got} bytes (asked for ${asked}); raise it with ` +
    `sysctl -w net.core.rmem_max=${asked} to avoid drops during bursts`
  );
}
