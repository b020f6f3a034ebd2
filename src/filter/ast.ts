// The filter AST. Every node keeps the 1-based column it starts at so that later checks (the
// config loader, the compiler resolving @lists) can point at the source.

import type { Cidr } from "../config/types.ts";

/** src/dst qualify addresses, ports and AS numbers; in/out qualify interfaces. */
export type Dir = "src" | "dst" | "in" | "out";

export type Value =
  /** An integer or an inclusive range (lo === hi for a single number or name). */
  | { kind: "range"; col: number; lo: number; hi: number }
  /** A TCP flag name: matches when that bit is set. */
  | { kind: "flag"; col: number; name: string; mask: number }
  | { kind: "cidr"; col: number; cidr: Cidr }
  /** `@name`: an address list the compiler asks the caller for. */
  | { kind: "list"; col: number; name: string }
  | { kind: "mac"; col: number; value: number }
  | { kind: "string"; col: number; value: string };

export interface MatchNode {
  kind: "match";
  col: number;
  dir: Dir | null; // null: either side
  /** Canonical field name: a built-in ("host", "tcp-flags") or a `[[field]]` name. */
  field: string;
  values: Value[]; // any of them
}

export interface NotNode {
  kind: "not";
  col: number;
  arg: FilterNode;
}

export interface BinaryNode {
  kind: "and" | "or";
  col: number;
  left: FilterNode;
  right: FilterNode;
}

/** The empty filter. */
export interface AllNode {
  kind: "all";
  col: number;
}

export type FilterNode = MatchNode | NotNode | BinaryNode | AllNode;
