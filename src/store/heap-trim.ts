// A window close of 100 000 keys renders ~144 000 rows (JS arrays and strings, ~50 MiB of heap)
// that are garbage once the database has them. The collector allocates almost nothing per flow,
// so the next full collection can be 10 s or more away, and RSS stays that much higher until
// then (measured: 142-146 MiB for ~10 s after each close, 92-96 MiB once collected). One
// collection a while after the last large export was written returns it: 3-12 ms on the
// benchmark's windows, once per close.

export interface HeapTrim {
  /** An export of `rows` rows was written to the database. */
  written(rows: number): void;
  /** Cancels a pending collection; later writes (the drain at stop) start none. */
  stop(): void;
}

export interface HeapTrimOptions {
  /** Exports at least this large are followed by a collection. */
  minRows: number;
  /** Quiet time after the last large export: the exports of one close come as one collection. */
  delayMs: number;
  collect?: () => void;
}

export function createHeapTrim(o: HeapTrimOptions): HeapTrim {
  const collect = o.collect ?? (() => Bun.gc(true));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  return {
    written(rows) {
      if (rows < o.minRows || stopped) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        collect();
      }, o.delayMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
