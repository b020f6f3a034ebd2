// Human-readable numbers for the aligned tables: decimal (SI) multiples as network traffic is
// counted, three significant digits. CSV never goes through here: it prints raw numbers.
import type { ValueName } from "../config/types.ts";

// SI: k (not K) is 1000, as the dashboard writes it; docs/DESIGN.md section 2 names the convention.
const PREFIXES = ["", "k", "M", "G", "T", "P", "E"];
const PREFIXED = /[kMGTPE]$/;

/** 1_210_000_000 -> "1.21 G"; below 1000 the number as is. */
export function si(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  let x = Math.abs(n);
  let i = 0;
  while (x >= 999.5 && i < PREFIXES.length - 1) {
    x /= 1000;
    i++;
  }
  const digits = i === 0 && Number.isInteger(x) ? 0 : x < 9.995 ? 2 : x < 99.95 ? 1 : 0;
  return `${n < 0 ? "-" : ""}${x.toFixed(digits)} ${PREFIXES[i]}`.trimEnd();
}

const UNIT: Record<ValueName, string> = { octets: "B", bits: "bit", packets: "", flows: "" };

/** A summed value: octets and bits with units ("1.21 GB", "3.4 Mbit"), counts exact. */
export function humanValue(value: ValueName, n: bigint): string {
  const unit = UNIT[value];
  if (unit === "") return n.toString();
  const s = si(Number(n));
  return PREFIXED.test(s) ? `${s}${unit}` : `${s} ${unit}`;
}

/** A per-second rate: "1.21 GB/s", "3.4 Mbit/s", "12.5 k/s" for packets and flows. */
export function humanRate(value: ValueName, perSecond: number): string {
  const unit = UNIT[value];
  const s = si(perSecond);
  if (unit === "") return `${s}/s`;
  return PREFIXED.test(s) ? `${s}${unit}/s` : `${s} ${unit}/s`;
}

/** A raw rate for CSV: at most three decimals, no exponent for the magnitudes traffic reaches. */
export function rawRate(perSecond: number): string {
  return String(Math.round(perSecond * 1000) / 1000);
}
