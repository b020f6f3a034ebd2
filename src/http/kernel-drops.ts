// Datagrams the kernel dropped before the collector read them (a full receive buffer), from the
// `drops` column of /proc/net/udp and /proc/net/udp6 (Linux, net/ipv4/udp.c udp4_format_sock).
// Only the collector's own sockets count: rows on its listen ports whose inode is one of this
// process's open sockets; when /proc/self/fd cannot be read, the port alone decides.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { formatV4, formatV6 } from "../net/address.ts";

export interface UdpSocketRow {
  local: string; // "127.0.0.1:2055", "[::]:4739"
  port: number;
  inode: number;
  rxQueue: number; // bytes waiting to be read
  drops: number;
}

// The kernel prints addresses as the in-memory words in hex: on a little-endian host each 32-bit
// word reads byte-reversed ("0100007F" is 127.0.0.1).
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function word(hex: string): number {
  const w = Number.parseInt(hex, 16) >>> 0;
  if (!LITTLE_ENDIAN) return w;
  return (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;
}

/** Rows of one /proc/net/udp or /proc/net/udp6 file. */
export function parseProcNetUdp(text: string): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (f.length < 13) continue;
    const [addrHex = "", portHex = ""] = (f[1] ?? "").split(":");
    const port = Number.parseInt(portHex, 16);
    let local: string;
    if (addrHex.length === 8) local = `${formatV4(word(addrHex))}:${port}`;
    else if (addrHex.length === 32) {
      const w = [0, 8, 16, 24].map((o) => word(addrHex.slice(o, o + 8)));
      local = `[${formatV6(w[0] ?? 0, w[1] ?? 0, w[2] ?? 0, w[3] ?? 0)}]:${port}`;
    } else continue;
    const rx = Number.parseInt((f[4] ?? "").split(":")[1] ?? "", 16);
    rows.push({ local, port, inode: Number(f[9]), rxQueue: Number.isNaN(rx) ? 0 : rx, drops: Number(f[12]) });
  }
  return rows;
}

/** Inodes of this process's sockets, or null when /proc/self/fd is unreadable. */
export function ownSocketInodes(fdDir = "/proc/self/fd"): Set<number> | null {
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch {
    return null;
  }
  const out = new Set<number>();
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${fdDir}/${fd}`));
      if (m) out.add(Number(m[1]));
    } catch {
      // closed between readdir and readlink
    }
  }
  return out;
}

export interface DropSources {
  files?: readonly string[];
  inodes?: () => Set<number> | null;
}

/** The collector's UDP sockets on `ports` with their drop counters; [] where /proc is absent. */
export function readKernelDrops(ports: readonly number[], src: DropSources = {}): UdpSocketRow[] {
  const wanted = new Set(ports);
  const inodes = (src.inodes ?? ownSocketInodes)();
  const out: UdpSocketRow[] = [];
  for (const file of src.files ?? ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const r of parseProcNetUdp(text)) {
      if (wanted.has(r.port) && (inodes === null || inodes.has(r.inode))) out.push(r);
    }
  }
  return out;
}
