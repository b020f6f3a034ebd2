// Specialised batch key writers: one generated function per key layout writes the key words of
// the selected records and hashes them in the same pass, with the batch columns, prefix masks
// and word offsets as literals. This is the hot loop of every window and average; a loop over
// per-field closures costs a call per field per record and keeps the words out of registers.
// Fields without a built-in source (extra columns) call their compiled writer. The hash must
// equal hashWords() over the same words (table.ts); tests check both paths agree.
import type { FlowBatch } from "../flow/batch.ts";
import { prefixMask, type KeySpec, type KeyWriter } from "./keyspec.ts";
import type { StringTable } from "./strings.ts";

export type BatchKeyWriter = (b: FlowBatch, sel: Int32Array, count: number, keys: Uint32Array, hashes: Int32Array, strings: StringTable) => void;

const mix = (w: string) => `h ^= ${w}; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13;`;

/**
 * `byRecord`: record i's key goes to keys[i * words] and its hash to hashes[i] instead of slot j,
 * so one pass over a batch can serve several consumers with different selections.
 */
export function compileBatchKeys(specs: readonly KeySpec[], writers: readonly KeyWriter[], byRecord = false): BatchKeyWriter {
  const words = specs.reduce((a, s) => a + s.words, 0);
  const body: string[] = [];
  let off = 0;
  specs.forEach((s, k) => {
    const src = s.source;
    if (src?.kind === "address") {
      const m = [prefixMask(src.bits6, 0), prefixMask(src.bits6, 1), prefixMask(src.bits6, 2), prefixMask(src.bits6, 3)];
      body.push(
        `{ const f = b.${src.fam}[i], o = i * 4, a = b.${src.col}; let w0 = 0, w1 = 0, w2 = 0, w3 = 0;`,
        `  if (f === 4) { w2 = 0xffff; w3 = a[o] & ${prefixMask(src.bits4, 0)}; }`,
        `  else if (f === 6) { w0 = a[o] & ${m[0]}; w1 = a[o + 1] & ${m[1]}; w2 = a[o + 2] & ${m[2]}; w3 = a[o + 3] & ${m[3]}; }`,
        `  keys[base + ${off}] = w0; keys[base + ${off + 1}] = w1; keys[base + ${off + 2}] = w2; keys[base + ${off + 3}] = w3;`,
        `  ${mix("w0")} ${mix("w1")} ${mix("w2")} ${mix("w3")} }`,
      );
    } else if (src?.kind === "number") {
      body.push(`{ const w = b.${src.col}[i]; keys[base + ${off}] = w; ${mix("w")} }`);
    } else {
      body.push(`writers[${k}](b, i, keys, base + ${off}, strings);`);
      for (let j = 0; j < s.words; j++) body.push(mix(`keys[base + ${off + j}]`));
    }
    off += s.words;
  });
  const code = `return function batchKeys(b, sel, count, keys, hashes, strings) {
  for (let j = 0; j < count; j++) {
    const i = sel[j], base = ${byRecord ? "i" : "j"} * ${words};
    let h = ${(0x9747b28c ^ words) | 0};
    ${body.join("\n    ")}
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
    hashes[${byRecord ? "i" : "j"}] = h;
  }
};`;
  return new Function("writers", code)(writers) as BatchKeyWriter;
}
