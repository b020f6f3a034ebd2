// The loader checks filters and key fields through this interface rather than importing the
// filter and monitor modules, which depend on the config (not the other way round). The pipeline
// passes the real checker; without one, filters and keys are taken as written.
import type { FieldDef } from "./types.ts";

export interface ExpressionChecker {
  /** A syntax or semantic error in a filter: 1-based column within `src` and what was expected. */
  filter(src: string, fields: readonly FieldDef[]): { col: number; message: string } | null;
  /** An error message for a window or average key field ("src host", "src net/24", "vrf"). */
  key(text: string, fields: readonly FieldDef[]): string | null;
}
