// Interned strings owned by one window slot or one moving average. Batch string ids belong to
// the batch's owner, who may clear them at any time, so a key stores an id from this table.

export interface StringTable {
  /** Id of `s`, from 1 (0 is kept for "absent" in key words). */
  intern(s: string): number;
  get(id: number): string | undefined;
  readonly size: number;
  clear(): void;
}

export function createStringTable(): StringTable {
  const ids = new Map<string, number>();
  const list: string[] = [];
  return {
    intern(s) {
      let id = ids.get(s);
      if (id === undefined) {
        list.push(s);
        id = list.length;
        ids.set(s, id);
      }
      return id;
    },
    get: (id) => list[id - 1],
    get size() {
      return list.length;
    },
    clear() {
      ids.clear();
      list.length = 0;
    },
  };
}
