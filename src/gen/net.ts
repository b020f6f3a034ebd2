// The IPv4 prefixes synthetic hosts are drawn from, and which host a rank names.
import { XenoflowError } from "../errors.ts";
import { parseAddressWords } from "../net/address.ts";

export interface Net {
  readonly base: number; // network address, uint32
  readonly prefix: number;
}

export function parseNet(text: string): Net {
  const [addr = "", bits = "32", extra] = text.trim().split("/");
  const words = new Uint32Array(4);
  const prefix = Number(bits);
  if (extra !== undefined || parseAddressWords(addr, words) !== 4 || !/^\d{1,2}$/.test(bits) || prefix > 32) {
    throw new XenoflowError("E_USAGE", `bad IPv4 prefix "${text}" (expected e.g. 10.0.0.0/8)`);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: ((words[0] ?? 0) & mask) >>> 0, prefix };
}

export function parseNets(text: string): Net[] {
  const nets = text.split(",").filter((s) => s.trim() !== "").map(parseNet);
  if (nets.length === 0) throw new XenoflowError("E_USAGE", "an empty prefix list");
  return nets;
}

/**
 * Host `rank` spread round-robin over `nets`, so that every prefix gets an equal share of the
 * hosts; inside a prefix, consecutive hosts, skipping network and broadcast addresses.
 */
export function hostAddress(nets: readonly Net[], rank: number): number {
  const net = nets[rank % nets.length] as Net;
  const size = 2 ** (32 - net.prefix);
  const j = Math.floor(rank / nets.length);
  const offset = size > 2 ? 1 + (j % (size - 2)) : j % size;
  return (net.base + offset) >>> 0;
}

export function netOf(nets: readonly Net[], rank: number): Net {
  return nets[rank % nets.length] as Net;
}
