// A window's or average's whole key: its fields' words laid end to end, one writer and one
// renderer compiled once from the parsed specs.
import type { ExtraSpec, FlowBatch } from "../flow/batch.ts";
import type { KeyColumn } from "../flow/export.ts";
import { isInterned, type KeySpec, type KeyValue, type KeyWriter } from "./keyspec.ts";
import type { StringTable } from "./strings.ts";
import { compileBatchKeys, type BatchKeyWriter } from "./keygen.ts";

export interface CompositeKey {
  readonly words: number;
  readonly columns: readonly KeyColumn[];
  readonly specs: readonly KeySpec[];
  write(b: FlowBatch, i: number, out: Uint32Array, off: number, strings: StringTable): void;
  /** Appends the rendered field values of the key at key[off ..] to `row`. */
  render(key: Uint32Array, off: number, strings: StringTable, row: KeyValue[]): void;
  /** True when some field is a string (its words are StringTable ids). */
  readonly hasStrings: boolean;
  /** Keys and hashes of a batch's selected records (see writeBatchKeys). */
  readonly writeBatch: BatchKeyWriter;
  /** The same, but record i's key at keys[i * words] and hash at hashes[i]. */
  readonly writeByRecord: BatchKeyWriter;
  /** Equal for keys with the same fields in the same order: such keys can share one computation. */
  readonly signature: string;
}

/** Throws a plain Error with the message when a field cannot be read from this batch layout. */
export function compileKey(specs: readonly KeySpec[], extras: readonly ExtraSpec[]): CompositeKey {
  const writers: KeyWriter[] = [];
  const offsets: number[] = [];
  let words = 0;
  for (const s of specs) {
    const w = s.compile(extras);
    if (typeof w === "string") throw new Error(w);
    writers.push(w);
    offsets.push(words);
    words += s.words;
  }
  // Unrolled for the common widths so each record costs direct calls, not a loop over closures.
  let write: KeyWriter;
  const [w0, w1, w2] = writers;
  const [o1, o2] = [offsets[1] ?? 0, offsets[2] ?? 0];
  if (writers.length === 1 && w0) write = w0;
  else if (writers.length === 2 && w0 && w1) {
    write = (b, i, out, off, st) => {
      w0(b, i, out, off, st);
      w1(b, i, out, off + o1, st);
    };
  } else if (writers.length === 3 && w0 && w1 && w2) {
    write = (b, i, out, off, st) => {
      w0(b, i, out, off, st);
      w1(b, i, out, off + o1, st);
      w2(b, i, out, off + o2, st);
    };
  } else {
    write = (b, i, out, off, st) => {
      for (let j = 0; j < writers.length; j++) writers[j]!(b, i, out, off + offsets[j]!, st);
    };
  }
  return {
    words,
    columns: specs.map((s) => s.column),
    specs,
    write,
    render(key, off, strings, row) {
      for (let j = 0; j < specs.length; j++) row.push(specs[j]!.render(key, off + offsets[j]!, strings));
    },
    hasStrings: specs.some(isInterned),
    writeBatch: compileBatchKeys(specs, writers),
    writeByRecord: compileBatchKeys(specs, writers, true),
    signature: specs.map((s) => s.text).join("|"),
  };
}

/**
 * Writes the keys of records sel[0 .. count-1] to keys[j * words ..] and their hashes to
 * hashes[j]: the first pass of a batch, so the table lookups that follow can be prefetched.
 */
export function writeBatchKeys(k: CompositeKey, b: FlowBatch, sel: Int32Array, count: number, keys: Uint32Array, hashes: Int32Array, strings: StringTable): void {
  k.writeBatch(b, sel, count, keys, hashes, strings);
}
