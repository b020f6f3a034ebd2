// `xenoflow gen` arguments, as citty hands them over (strings and booleans), checked and turned
// into SendOptions. Every problem is an E_USAGE error naming the flag.
import { parseDuration } from "../config/units.ts";
import { XenoflowError } from "../errors.ts";
import type { Version } from "./codec.ts";
import { parseNets } from "./net.ts";
import type { SendOptions } from "./send.ts";
import { parseTarget } from "./target.ts";

export interface GenArgs {
  to?: string;
  fps?: string;
  duration?: string;
  count?: string;
  version?: string;
  exporters?: string;
  records?: string;
  "hosts-src"?: string;
  "hosts-dst"?: string;
  "src-nets"?: string;
  "dst-nets"?: string;
  zipf?: string;
  "web-share"?: string;
  octets?: string;
  seed?: string;
  pool?: string;
  "template-every"?: string;
  "template-interval"?: string;
  sampling?: string;
  "allow-remote"?: boolean;
}

export const GEN_DEFAULTS = {
  fps: "10000",
  version: "9",
  exporters: "1",
  hostsSrc: "10000",
  hostsDst: "10000",
  srcNets: "10.0.0.0/8",
  // Half the destinations inside 10/8 ("internal"), half in TEST-NET-1, so that filters on
  // either see a share of the load.
  dstNets: "10.0.0.0/8,192.0.2.0/24",
  zipf: "0",
  webShare: "0.5",
  octets: "64-1500",
  seed: "1",
  pool: "1024",
  templateEvery: "20",
  templateInterval: "30s",
} as const;

/** Most hosts per side: a Zipf table of this many ranks is 32 MiB. */
const MAX_HOSTS = 1 << 22;

function usage(message: string): XenoflowError {
  return new XenoflowError("E_USAGE", message);
}

function number(flag: string, text: string, min: number, max: number, integer = true): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw usage(`--${flag} must be ${integer ? "an integer" : "a number"} in ${min}..${max}, got "${text}"`);
  }
  return n;
}

function seconds(flag: string, text: string): number {
  const s = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : parseDuration(text);
  if (s === null || !(s >= 0)) throw usage(`--${flag} must be seconds or a duration like 30s or 5m, got "${text}"`);
  return s;
}

export function parseGenArgs(a: GenArgs): Omit<SendOptions, "progress" | "signal"> {
  if (!a.to) throw usage("--to HOST:PORT is required");
  const target = parseTarget(a.to, a["allow-remote"] === true);
  const versionText = a.version ?? GEN_DEFAULTS.version;
  const version: Version = versionText === "sflow" ? "sflow" : (number("version", versionText, 5, 10) as Version);
  if (version !== 5 && version !== 9 && version !== 10 && version !== "sflow") throw usage(`--version must be 5, 9, 10 or sflow, got ${version}`);
  if (a.sampling !== undefined && version !== "sflow") throw usage("--sampling applies to --version sflow only");
  const octets = /^(\d+)(?:-(\d+))?$/.exec((a.octets ?? GEN_DEFAULTS.octets).trim());
  const octetsMin = Number(octets?.[1]);
  const octetsMax = octets?.[2] === undefined ? octetsMin : Number(octets[2]);
  if (!octets || octetsMin < 1 || octetsMax < octetsMin || octetsMax > 0xffffffff) {
    throw usage(`--octets must be N or MIN-MAX (per record, 1..4294967295), got "${a.octets}"`);
  }
  return {
    target,
    fps: number("fps", a.fps ?? GEN_DEFAULTS.fps, 0, 1e9),
    durationS: seconds("duration", a.duration ?? "0"),
    count: number("count", a.count ?? "0", 0, Number.MAX_SAFE_INTEGER),
    exporters: number("exporters", a.exporters ?? GEN_DEFAULTS.exporters, 1, 1000),
    refresh: {
      every: number("template-every", a["template-every"] ?? GEN_DEFAULTS.templateEvery, 1, 1e9),
      intervalMs: seconds("template-interval", a["template-interval"] ?? GEN_DEFAULTS.templateInterval) * 1000,
    },
    pool: {
      version,
      // v5's 30 is the format's limit; 29 is what fills a v9/IPFIX datagram with room for the
      // template; sFlow's 6 samples of 128-byte headers leave room for a counter sample.
      records: number("records", a.records ?? (version === 5 ? "30" : version === "sflow" ? "6" : "29"), 1, 30),
      ...(version === "sflow" ? { sampling: number("sampling", a.sampling ?? "1", 1, 0xffffffff) } : {}),
      datagrams: number("pool", a.pool ?? GEN_DEFAULTS.pool, 1, 65536),
      seed: number("seed", a.seed ?? GEN_DEFAULTS.seed, 0, 0xffffffff),
      srcNets: parseNets(a["src-nets"] ?? GEN_DEFAULTS.srcNets),
      dstNets: parseNets(a["dst-nets"] ?? GEN_DEFAULTS.dstNets),
      hostsSrc: number("hosts-src", a["hosts-src"] ?? GEN_DEFAULTS.hostsSrc, 1, MAX_HOSTS),
      hostsDst: number("hosts-dst", a["hosts-dst"] ?? GEN_DEFAULTS.hostsDst, 1, MAX_HOSTS),
      zipf: number("zipf", a.zipf ?? GEN_DEFAULTS.zipf, 0, 10, false),
      webShare: number("web-share", a["web-share"] ?? GEN_DEFAULTS.webShare, 0, 1, false),
      octetsMin,
      octetsMax,
    },
  };
}
