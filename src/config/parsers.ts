// Value parsers for reader.ts: each checks one TOML value and says what was expected.
import { parseAddress, parseCidr } from "../net/address.ts";
import { parseListen } from "../net/listen.ts";
import { type Invalid, type Parse, describe, invalid } from "./reader.ts";
import type { Cidr, ListenAddress } from "./types.ts";
import { didYouMean } from "./suggest.ts";
import { parseDuration, parseSize } from "./units.ts";

export const NAME = /^[a-z][a-z0-9_]*$/;
/** `[collector] name`: host-name characters, so it reads the same in SQL literals, URLs and logs. */
export const COLLECTOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const str: Parse<string> = (v) => (typeof v === "string" ? v : invalid(`expected a string, found ${describe(v)}`));

export const bool: Parse<boolean> = (v) =>
  typeof v === "boolean" ? v : invalid(`expected true or false, found ${describe(v)}`);

export function int(min: number, max = Number.MAX_SAFE_INTEGER): Parse<number> {
  return (v) => {
    if (typeof v !== "number" || !Number.isInteger(v)) return invalid(`expected an integer, found ${describe(v)}`);
    if (v < min || v > max) {
      return invalid(max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}, found ${v}` : `must be ${min}..${max}, found ${v}`);
    }
    return v;
  };
}

/** A positive rate such as a threshold: integers and floats (500e6) alike. */
export const positive: Parse<number> = (v) => {
  if (typeof v !== "number" || !Number.isFinite(v)) return invalid(`expected a number, found ${describe(v)}`);
  return v > 0 ? v : invalid(`must be greater than 0, found ${v}`);
};

export const name: Parse<string> = (v) => {
  if (typeof v !== "string") return invalid(`expected a name, found ${describe(v)}`);
  return NAME.test(v) ? v : invalid(`invalid name "${v}": use lower-case letters, digits and _, starting with a letter`);
};

export const nonEmpty: Parse<string> = (v) => {
  if (typeof v !== "string") return invalid(`expected a string, found ${describe(v)}`);
  return v.trim() !== "" ? v : invalid("must not be empty");
};

export function oneOf<T extends string>(options: readonly T[]): Parse<T> {
  const list = options.map((o) => `"${o}"`).join(", ");
  return (v) => {
    if (options.includes(v as T)) return v as T;
    const hint = typeof v === "string" ? didYouMean(v, options) : "";
    return invalid(`expected one of ${list}, found ${describe(v)}${hint}`);
  };
}

/** Seconds from "500ms", "30s", "5m", "1h", "30d"; at least `min`. */
export function duration(min: number): Parse<number> {
  return (v) => {
    const bad = (): Invalid => invalid(`expected a duration like "500ms", "30s", "5m", "1h" or "30d", found ${describe(v)}`);
    if (typeof v !== "string") return bad();
    const s = parseDuration(v);
    if (s === null) return bad();
    return s >= min ? s : invalid(`must be at least ${min < 1 ? `${min * 1000}ms` : `${min}s`}, found "${v}"`);
  };
}

/** Whole seconds, for windows aligned to clock boundaries. */
export function wholeSeconds(min: number): Parse<number> {
  const d = duration(min);
  return (v) => {
    const s = d(v);
    return typeof s === "number" && !Number.isInteger(s) ? invalid(`must be whole seconds, found "${v}"`) : s;
  };
}

/** Bytes from "64KB", "16MiB", "1GiB" or a plain integer. */
export function size(min: number): Parse<number> {
  return (v) => {
    const bytes = typeof v === "number" && Number.isSafeInteger(v) ? v : typeof v === "string" ? parseSize(v) : null;
    if (bytes === null) {
      return invalid(`expected a size like "64KB", "16MiB", "1GiB" or an integer of bytes, found ${describe(v)}`);
    }
    return bytes >= min ? bytes : invalid(`must be at least ${min} bytes, found ${describe(v)}`);
  };
}

const fromText =
  <T>(f: (s: string) => T | string): Parse<T> =>
  (v) => {
    if (typeof v !== "string") return invalid(`expected a string, found ${describe(v)}`);
    const r = f(v);
    return typeof r === "string" ? invalid(r) : r;
  };

export const listen: Parse<ListenAddress> = fromText(parseListen);
export const cidr: Parse<Cidr> = fromText(parseCidr);
export const address: Parse<Cidr> = fromText((s) =>
  s.includes("/") ? `expected a single address, not a prefix, found "${s}"` : parseAddress(s),
);

/** `[[field]]` element: an IANA number, or "PEN/ID" for an enterprise element (RFC 7011 3.2). */
export const element: Parse<{ pen: number; element: number }> = (v) => {
  // RFC 7011 3.2: the top bit of the 16-bit id flags an enterprise element, so ids are 15 bits.
  const id = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 0x7fff;
  if (typeof v === "number") {
    return id(v) ? { pen: 0, element: v } : invalid(`IANA element number must be 1..32767, found ${v}`);
  }
  const m = typeof v === "string" ? /^(\d+)\/(\d+)$/.exec(v) : null;
  const pen = Number(m?.[1]);
  const el = Number(m?.[2]);
  if (m && pen >= 1 && pen <= 0xffffffff && id(el)) return { pen, element: el };
  return invalid(`expected an IANA element number or "PEN/ID" (PEN 1..4294967295, ID 1..32767), found ${describe(v)}`);
};
