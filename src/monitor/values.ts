// Value names to small numeric kinds, so the hot path switches on a number, not a string.
import type { ValueName } from "../config/types.ts";

/** 0 octets, 1 packets, 2 bits (octets x 8), 3 flows; the first three already scaled by sampling. */
export function valueKinds(values: readonly ValueName[]): Uint8Array {
  const kinds: Record<ValueName, number> = { octets: 0, packets: 1, bits: 2, flows: 3 };
  return Uint8Array.from(values.map((v) => kinds[v]));
}
