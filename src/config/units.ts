// Durations ("500ms", "30s", "5m", "1h", "30d") and sizes ("64KB", "16MiB", "1GiB", or a plain
// integer of bytes) as the config writes them. Each returns null when the text is not one.

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const SECONDS_PER: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, or null. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * (SECONDS_PER[m[2] ?? ""] ?? Number.NaN);
}

const SIZE = /^(\d+)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/;
// SI prefixes are powers of 1000 and binary ones powers of 1024 (IEC 80000-13), as written.
const BYTES_PER: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

/** Bytes, or null. */
export function parseSize(text: string): number | null {
  const m = SIZE.exec(text.trim());
  if (!m) return null;
  const bytes = Number(m[1]) * (BYTES_PER[m[2] ?? "B"] ?? Number.NaN);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** "30s", "5m", "1h", "30d" back from seconds, for summaries. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  for (const [unit, n] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (seconds % n === 0) return `${seconds / n}${unit}`;
  }
  return `${seconds}s`;
}

export function formatSize(bytes: number): string {
  for (const [unit, n] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  }
  return `${bytes}B`;
}
