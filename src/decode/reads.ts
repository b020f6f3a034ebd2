// Big-endian reads, as functions (record printer) and as code (compiled batch decoders). Unsigned
// integers take any length 1..8: RFC 7011 section 6.2 reduced-size encoding, also used in v9.

export function readUint(b: Uint8Array, p: number, len: number): number {
  let v = 0;
  for (let k = 0; k < len; k++) v = v * 256 + b[p + k]!;
  return v;
}

/** The value as a bigint, for 64-bit values above 2^53. */
export function readBig(b: Uint8Array, p: number, len: number): bigint {
  let v = 0n;
  for (let k = 0; k < len; k++) v = (v << 8n) | BigInt(b[p + k]!);
  return v;
}

export function readInt(b: Uint8Array, p: number, len: number): number {
  const u = readUint(b, p, len);
  const half = 2 ** (8 * len - 1);
  return u >= half ? u - 2 * half : u;
}

/**
 * Code reading `len` (1..8) bytes at position expression `p` of `b` as an unsigned number. With
 * `int32`, a 4-byte value is left as its int32 bit pattern: stored into a Uint32Array it is the
 * same number, and the JIT keeps it an integer instead of a double.
 */
export function uintCode(p: string, len: number, int32 = false): string {
  const byte = (k: number) => (k === 0 ? `b[${p}]` : `b[${p}+${k}]`);
  const word = (from: number, n: number): string => {
    if (n === 1) return byte(from);
    const parts: string[] = [];
    for (let k = 0; k < n; k++) parts.push(`${byte(from + k)}<<${8 * (n - 1 - k)}`);
    // Four bytes need >>>0: the top byte shifted by 24 sets the sign bit.
    return n === 4 ? `((${parts.join("|")})${int32 ? "|0" : ">>>0"})` : `(${parts.join("|")})`;
  };
  if (len <= 4) return word(0, len);
  return `(${word(0, len - 4)}*4294967296+${word(len - 4, 4)})`;
}
