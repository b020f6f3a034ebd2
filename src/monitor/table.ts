// An open-addressing hash table on typed arrays: fixed-width keys of `keyWords` uint32 words,
// `valueCount` Float64 columns per entry, and no object per entry.
//
// Entries live densely in insertion order, so iterating live entries is a plain
// `for (e = 0; e < size; e++)` and clear() only resets a counter and the index. One entry is one
// stretch of a shared buffer: its values (Float64, at vals[valBase(e) ..]) then its key words
// (at keys[keyBase(e) ..]), so a lookup touches the entry's cache line(s) once. The index is a
// linear-probing Int32Array of (entry+1, hash) pairs kept at most half full; a probe compares
// the hash from the same line before reading key words. Growth doubles up to `maxEntries`;
// beyond it an insert of a new key returns -1 so the caller can count the record and fold it
// into an overflow row. The hash is murmur3's fmix32 finaliser (Appleby, MurmurHash3.cpp)
// applied over each word and to the result: cheap, and every key bit reaches every hash bit.

export interface HashTable {
  readonly keyWords: number;
  readonly valueCount: number;
  readonly maxEntries: number;
  /** Live entries: 0 .. size-1. */
  readonly size: number;
  /** Key words of entry e start at keys[keyBase(e)]. Re-read after an insert: growth replaces the array. */
  readonly keys: Uint32Array;
  /** Values of entry e start at vals[valBase(e)], zero when created. Re-read after an insert. */
  readonly vals: Float64Array;
  keyBase(e: number): number;
  valBase(e: number): number;
  /**
   * The layout, for generated probe loops (kernel.ts): Float64 units per entry, uint32 units from
   * an entry's start to its key, the (entry+1, hash) slot pairs and their mask. `index`, `mask`,
   * `keys`, `keys32` and `vals` are replaced on growth: re-read them after insert().
   */
  readonly stride: number;
  readonly keyOffset: number;
  readonly index: Int32Array;
  readonly mask: number;
  /** `keys` as int32, so generated compares stay on small integers. */
  readonly keys32: Int32Array;
  /** Inserts a key known to be absent (hash h); the entry, or -1 when the table is full. */
  insert(key: Uint32Array, off: number, h: number): number;
  /** Entry index of the key at key[off ..], inserting it when new; -1 when new and the table is full. */
  upsert(key: Uint32Array, off: number): number;
  /** upsert() with the key's hashWords() already computed. */
  upsertHashed(key: Uint32Array, off: number, h: number): number;
  /**
   * Reads the index slots, then the entries, that upcoming lookups with hashes hs[from .. to-1]
   * will touch. The loads are independent, so the CPU overlaps their cache misses instead of
   * paying them one by one inside upsert (JavaScript has no prefetch instruction). Returns a
   * value only so the loads cannot be dropped.
   */
  touch(hs: Int32Array, from: number, to: number): number;
  /** Entry index of the key, or -1. */
  find(key: Uint32Array, off: number): number;
  /**
   * Removes entry e; the last entry moves into its place. Returns the old index of the moved
   * entry (so callers holding entry indexes can follow it), or -1 when e was the last one.
   */
  remove(e: number): number;
  /** Forgets every entry; keeps the memory. */
  clear(): void;
  /**
   * Grows the table once to hold `n` entries (up to maxEntries) without growing again: a new
   * window of as many keys as the last one would otherwise double its way up, each step a new
   * buffer and index with the old ones left as garbage.
   */
  reserve(n: number): void;
  /** Written by the generated prefetch passes (kernel.ts) so that their loads are not dropped. */
  sink: number;
}

/** A 32-bit hash of `n` words of `a` from `off`: fmix32 folded over the words, then fmix32. */
export function hashWords(a: Uint32Array, off: number, n: number): number {
  let h = 0x9747b28c ^ n;
  for (let j = 0; j < n; j++) {
    h ^= a[off + j]!;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function createHashTable(keyWords: number, valueCount: number, maxEntries: number, initialEntries = 1024): HashTable {
  if (keyWords < 1 || valueCount < 0 || maxEntries < 1) throw new RangeError("hash table: bad shape");
  const stride = valueCount + ((keyWords + 1) >> 1); // Float64 units per entry
  const keyOffset = valueCount * 2; // uint32 units from the entry start to its key
  let cap = Math.min(pow2AtLeast(Math.max(16, initialEntries)), pow2AtLeast(maxEntries));
  let index = new Int32Array(cap * 4); // cap*2 slots of (entry+1, hash)
  let mask = cap * 2 - 1;
  let buf = new ArrayBuffer(cap * stride * 8);

  const t = {
    keyWords,
    valueCount,
    maxEntries,
    size: 0,
    stride,
    keyOffset,
    index,
    mask,
    keys: new Uint32Array(buf),
    keys32: new Int32Array(buf),
    vals: new Float64Array(buf),
    insert,
    keyBase: (e: number) => e * stride * 2 + keyOffset,
    valBase: (e: number) => e * stride,
    upsert,
    upsertHashed,
    touch,
    find,
    remove,
    clear,
    reserve,
    sink: 0,
  };

  function sameKey(e: number, key: Uint32Array, off: number): boolean {
    const keys = t.keys;
    const base = e * stride * 2 + keyOffset;
    for (let j = 0; j < keyWords; j++) if (keys[base + j] !== key[off + j]) return false;
    return true;
  }

  function hashOf(e: number): number {
    return hashWords(t.keys, e * stride * 2 + keyOffset, keyWords);
  }

  function slotOf(e: number, h: number): number {
    let s = h & mask;
    while (index[s * 2] !== e + 1) s = (s + 1) & mask;
    return s;
  }

  function find(key: Uint32Array, off: number): number {
    const h = hashWords(key, off, keyWords);
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const x = index[s * 2]!;
      if (x === 0) return -1;
      if (index[s * 2 + 1] === h && sameKey(x - 1, key, off)) return x - 1;
    }
  }

  function reserve(n: number): void {
    const want = Math.min(pow2AtLeast(n), pow2AtLeast(maxEntries));
    if (want > cap) grow(want);
  }

  function grow(to = cap * 2): void {
    const old = index;
    const oldMask = mask;
    cap = to;
    const nbuf = new ArrayBuffer(cap * stride * 8);
    new Uint8Array(nbuf).set(new Uint8Array(buf));
    buf = nbuf;
    t.keys = new Uint32Array(buf);
    t.keys32 = new Int32Array(buf);
    t.vals = new Float64Array(buf);
    index = new Int32Array(cap * 4);
    mask = cap * 2 - 1;
    t.index = index;
    t.mask = mask;
    for (let s = 0; s <= oldMask; s++) {
      const x = old[s * 2]!;
      if (x === 0) continue;
      const h = old[s * 2 + 1]!;
      let n = h & mask;
      while (index[n * 2] !== 0) n = (n + 1) & mask;
      index[n * 2] = x;
      index[n * 2 + 1] = h;
    }
  }

  function upsert(key: Uint32Array, off: number): number {
    return upsertHashed(key, off, hashWords(key, off, keyWords));
  }

  function upsertHashed(key: Uint32Array, off: number, h: number): number {
    const ix = index;
    const m = mask;
    const keys = t.keys;
    let s = h & m;
    probe: for (; ; s = (s + 1) & m) {
      const x = ix[s * 2]!;
      if (x === 0) break;
      if (ix[s * 2 + 1] !== h) continue;
      const base = (x - 1) * stride * 2 + keyOffset;
      for (let j = 0; j < keyWords; j++) if (keys[base + j] !== key[off + j]) continue probe;
      return x - 1;
    }
    return insertAt(key, off, h, s);
  }

  function insert(key: Uint32Array, off: number, h: number): number {
    let s = h & mask;
    while (index[s * 2] !== 0) s = (s + 1) & mask;
    return insertAt(key, off, h, s);
  }

  function insertAt(key: Uint32Array, off: number, h: number, at: number): number {
    let s = at;
    if (t.size >= maxEntries) return -1;
    if (t.size === cap) {
      grow();
      s = h & mask;
      while (index[s * 2] !== 0) s = (s + 1) & mask;
    }
    const e = t.size++;
    index[s * 2] = e + 1;
    index[s * 2 + 1] = h;
    const vb = e * stride;
    const vals = t.vals;
    for (let v = 0; v < valueCount; v++) vals[vb + v] = 0;
    const nk = t.keys;
    const kb = vb * 2 + keyOffset;
    for (let j = 0; j < keyWords; j++) nk[kb + j] = key[off + j]!;
    return e;
  }

  function remove(e: number): number {
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let hole = slotOf(e, hashOf(e));
    for (let s = (hole + 1) & mask; index[s * 2] !== 0; s = (s + 1) & mask) {
      const home = index[s * 2 + 1]! & mask;
      // The entry at s may fill the hole when its home is not in the cyclic range (hole, s].
      const stays = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (!stays) {
        index[hole * 2] = index[s * 2]!;
        index[hole * 2 + 1] = index[s * 2 + 1]!;
        hole = s;
      }
    }
    index[hole * 2] = 0;
    const last = --t.size;
    if (e === last) return -1;
    index[slotOf(last, hashOf(last)) * 2] = e + 1;
    t.vals.copyWithin(e * stride, last * stride, (last + 1) * stride);
    return last;
  }

  function touch(hs: Int32Array, from: number, to: number): number {
    let acc = 0;
    const vals = t.vals;
    for (let j = from; j < to; j++) acc += index[(hs[j]! & mask) * 2]!;
    // An entry may straddle two cache lines: read its first and last Float64.
    for (let j = from; j < to; j++) {
      const x = index[(hs[j]! & mask) * 2]!;
      if (x > 0) acc += vals[(x - 1) * stride]! + vals[x * stride - 1]!;
    }
    return acc;
  }

  function clear(): void {
    t.size = 0;
    index.fill(0);
  }

  return t;
}
