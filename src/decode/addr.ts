// Address text <-> words and bytes -> text. IPv6 text follows RFC 5952 (lowercase, longest run of
// two or more zero groups compressed, first run on a tie), as tshark prints it.

/** IPv4 in words[0] (family 4) or four big-endian words (family 6); family 0 when unparsable. */
export function addrWords(text: string): { family: 0 | 4 | 6; words: [number, number, number, number] } {
  const words: [number, number, number, number] = [0, 0, 0, 0];
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const o = v4.slice(1).map(Number);
    if (o.some((x) => x > 255)) return { family: 0, words };
    words[0] = ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
    return { family: 4, words };
  }
  const groups = ipv6Groups(text);
  if (!groups) return { family: 0, words };
  for (let k = 0; k < 4; k++) words[k] = ((groups[2 * k]! << 16) | groups[2 * k + 1]!) >>> 0;
  return { family: 6, words };
}

function ipv6Groups(text: string): number[] | null {
  let s = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (dotted) {
    const w = addrWords(dotted[2]!);
    if (w.family !== 4) return null;
    tail.push(w.words[0] >>> 16, w.words[0] & 0xffff);
    s = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const parts = s.split("::");
  if (parts.length > 2) return null;
  const parse = (p: string): number[] | null => {
    if (p === "") return [];
    const out: number[] = [];
    for (const g of p.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(parts[0]!);
  const rest = parts.length === 2 ? parse(parts[1]!) : [];
  if (!head || !rest) return null;
  const known = head.length + rest.length + tail.length;
  if (parts.length === 1) return known === 8 ? [...head, ...tail] : null;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

export function ipv4Text(b: Uint8Array, p: number): string {
  return `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
}

export function ipv6Text(b: Uint8Array, p: number): string {
  const g: number[] = [];
  for (let k = 0; k < 8; k++) g.push((b[p + 2 * k]! << 8) | b[p + 2 * k + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) { k++; continue; }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLen) { best = k; bestLen = e - k; }
    k = e;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function macText(b: Uint8Array, p: number, len: number): string {
  let s = "";
  for (let k = 0; k < len; k++) s += (k ? ":" : "") + b[p + k]!.toString(16).padStart(2, "0");
  return s;
}

export function hexText(b: Uint8Array, p: number, len: number): string {
  let s = "";
  for (let k = 0; k < len; k++) s += b[p + k]!.toString(16).padStart(2, "0");
  return s;
}
