// "did you mean" for unknown words: the closest known word by edit distance.

/** Edit distance counting a swap of two neighbours as one edit ("vfr" -> "vrf"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i]!;
    const up = d[i - 1]!;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      row[j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest to `word`, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const w = word.toLowerCase();
  const limit = w.length <= 3 ? 1 : 2;
  let best: string | null = null;
  let bestD = limit + 1;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    // On a tie prefer a word the typo begins ("prot": "proto" over "port").
    const better = d < bestD || (d === bestD && best !== null && c.startsWith(w) && !best.startsWith(w));
    if (better) [best, bestD] = [c, d];
  }
  return best;
}
