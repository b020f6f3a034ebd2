// Colour only for a human at a terminal: NO_COLOR (no-color.org) and pipes turn it off.
const COLORS = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function useColor(stream: { isTTY?: boolean } = process.stderr): boolean {
  return !!stream.isTTY && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "") && process.env.TERM !== "dumb";
}

export function paint(color: keyof typeof COLORS, text: string, stream?: { isTTY?: boolean }): string {
  return useColor(stream) ? `\x1b[${COLORS[color]}m${text}\x1b[0m` : text;
}

// biome-ignore lint: the escape is the point
const ANSI = /\x1b\[[0-9;]*m/g;

/** Text without colour escapes (citty colours its usage whatever the terminal). */
export function plain(text: string): string {
  return text.replace(ANSI, "");
}
