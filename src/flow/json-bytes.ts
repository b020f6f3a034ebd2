// Byte-level JSON writing for the flow dump: compiled per-template writers (decode/compile-records.ts
// compileJson) put each record's line straight into a byte buffer. Numbers and short ASCII text are
// written digit by digit: a number-to-string conversion and a rope of string pieces per field
// cost more than the whole line does this way.

/** Where compiled lines go: bytes at buf[0 .. pos). reserve(n) guarantees n free bytes (it may flush or replace buf). */
export interface LineSink {
  buf: Uint8Array;
  pos: number;
  reserve(n: number): void;
}

/** Most bytes writeNumber() writes: String() of any double is at most 24 characters ("-1.2345678901234567e+308"). */
export const NUMBER_MAX = 25;

const encoder = new TextEncoder();

/** ASCII text (keys, numbers' String()) at u[q ..]; returns the new end. The caller reserved the room. */
export function writeAscii(u: Uint8Array, q: number, s: string): number {
  for (let k = 0; k < s.length; k++) u[q++] = s.charCodeAt(k);
  return q;
}

/** "00" .. "99": two ASCII digits per value, so the loops below divide once per two digits. */
const PAIRS = new Uint8Array(200);
for (let v = 0; v < 100; v++) {
  PAIRS[2 * v] = 48 + ((v / 10) | 0);
  PAIRS[2 * v + 1] = 48 + (v % 10);
}

/** Decimal digits of 0 <= x < 2^31. */
function digits(x: number): number {
  return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : x < 100000 ? 5 : x < 1000000 ? 6 : x < 10000000 ? 7 : x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
}

/** The digits of int32 x >= 0 ending just before u[e], most significant first; returns where they start. */
function writeDigitsBack(u: Uint8Array, e: number, x: number): number {
  while (x >= 100) {
    const t = (x / 100) | 0;
    const r = (x - t * 100) << 1;
    u[--e] = PAIRS[r + 1]!;
    u[--e] = PAIRS[r]!;
    x = t;
  }
  if (x >= 10) {
    u[--e] = PAIRS[(x << 1) + 1]!;
    u[--e] = PAIRS[x << 1]!;
  } else u[--e] = 48 + x;
  return e;
}

/** The number as JSON prints it (its ToString for finite values) at u[q ..]; returns the new end. */
export function writeNumber(u: Uint8Array, q: number, v: number): number {
  // Int32 arithmetic where it fits: a double's % is a library call, dozens of times slower.
  if (v >= 0 && v <= 0x7fffffff && (v | 0) === v) {
    const end = q + digits(v);
    writeDigitsBack(u, end, v);
    return end;
  }
  if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && v === Math.floor(v))) return writeAscii(u, q, Number.isFinite(v) ? String(v) : "null");
  // Up to 2^53 (millisecond timestamps): the high part by double division, then the low nine
  // digits, zero-padded, as int32.
  const hi = Math.floor(v / 1e9);
  const lo = v - hi * 1e9;
  q = writeNumber(u, q, hi);
  const end = q + 9;
  const start = writeDigitsBack(u, end, lo);
  for (let z = q; z < start; z++) u[z] = 48;
  return end;
}

/** Any text (a JSON-encoded value) at sink.pos, UTF-8, reserving what it needs. */
export function writeText(sink: LineSink, s: string): void {
  sink.reserve(s.length * 3);
  sink.pos += encoder.encodeInto(s, sink.buf.subarray(sink.pos)).written;
}

/** A growable in-memory LineSink, for tests and benchmarks that read the lines back. */
export function memoryLines(initial = 1 << 16): LineSink & { text(): string } {
  const m = {
    buf: new Uint8Array(initial),
    pos: 0,
    reserve(n: number) {
      if (m.pos + n <= m.buf.length) return;
      const next = new Uint8Array(Math.max(m.buf.length * 2, m.pos + n));
      next.set(m.buf.subarray(0, m.pos));
      m.buf = next;
    },
    text: () => new TextDecoder().decode(m.buf.subarray(0, m.pos)),
  };
  return m;
}
