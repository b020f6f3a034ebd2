// Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): one HELP and one TYPE line per
// family, then its samples. Label values escape backslash, double quote and newline; HELP text
// escapes backslash and newline only.

export type MetricType = "counter" | "gauge";
export type Labels = Readonly<Record<string, string | number>>;

export interface Exposition {
  /** Starts a family; its samples follow until the next family. A family without samples is still listed. */
  family(name: string, type: MetricType, help: string): void;
  sample(value: number, labels?: Labels): void;
  text(): string;
}

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Go's strconv formatting as Prometheus expects it: +Inf, -Inf, NaN, plain decimals otherwise. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function createExposition(): Exposition {
  const lines: string[] = [];
  const seen = new Set<string>();
  let current = "";
  return {
    family(name, type, help) {
      // Names come from this program, never from the wire; a bad one is our bug.
      if (!NAME.test(name) || seen.has(name)) throw new Error(`metrics: bad or repeated family name ${name}`);
      seen.add(name);
      current = name;
      lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    },
    sample(value, labels) {
      if (current === "") throw new Error("metrics: sample before family");
      let l = "";
      if (labels) {
        const parts: string[] = [];
        for (const [k, v] of Object.entries(labels)) {
          if (!LABEL.test(k)) throw new Error(`metrics: bad label name ${k}`);
          parts.push(`${k}="${escapeLabelValue(String(v))}"`);
        }
        if (parts.length > 0) l = `{${parts.join(",")}}`;
      }
      lines.push(`${current}${l} ${formatValue(value)}`);
    },
    text: () => `${lines.join("\n")}\n`,
  };
}
