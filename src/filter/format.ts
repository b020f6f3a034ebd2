// The AST back as filter text, every binary node in parentheses: what `xenoflow check` can
// print to show how a filter was understood, and how tests state the shape they expect.

import type { FilterNode, Value } from "./ast.ts";
import { formatMac } from "./mac.ts";

function formatValue(v: Value): string {
  switch (v.kind) {
    case "range":
      return v.lo === v.hi ? String(v.lo) : `${v.lo}-${v.hi}`;
    case "flag":
      return v.name;
    case "cidr":
      return v.cidr.text;
    case "list":
      return `@${v.name}`;
    case "mac":
      return formatMac(v.value);
    case "string":
      return JSON.stringify(v.value);
  }
}

export function formatFilter(n: FilterNode): string {
  switch (n.kind) {
    case "all":
      return "";
    case "not":
      return `not ${formatFilter(n.arg)}`;
    case "and":
    case "or":
      return `(${formatFilter(n.left)} ${n.kind} ${formatFilter(n.right)})`;
    case "match":
      return `${n.dir === null ? "" : `${n.dir} `}${n.field} ${n.values.map(formatValue).join(",")}`;
  }
}
