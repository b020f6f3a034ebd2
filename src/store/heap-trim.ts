// A window close of 100 000 keys renders ~144 000 rows (JS arrays and strings, ~50 MiB of heap)
// twice, for the spool's record and for the database. The pauses between slices collect most of
// it (store/turn.ts); the rest, and an export's own last slices, would wait for the heap's next
// full collection, 10 s or more away on a collector that allocates almost nothing per flow (RSS
// stayed at 142-146 MiB for ~10 s after each close). A full collection in the turn after each
// large export is spooled or written returns it before the next piece of the close adds its own:
// 7-11 ms, four per close of the benchmark's two windows; peak RSS of a close 109-110 MiB with one
// collection a second after the last export, 106-108 with these. The collection runs in the next
// turn, so exports finished in one turn share it.
export interface HeapTrim {
  /** An export of `rows` rows was spooled or written to the database. */
  written(rows: number): void;
  /** Cancels a pending collection; later writes (the drain at stop) start none. */
  stop(): void;
}

export interface HeapTrimOptions {
  /** Exports at least this large are followed by a collection. */
  minRows: number;
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
      }, 0);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
