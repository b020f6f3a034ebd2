// Store work in pieces, one per event-loop turn: the single-thread collector receives on the same
// loop, and a turn that runs too long lets the kernel's receive buffer overflow.
import { edenGC } from "bun:jsc";

/**
 * Rows rendered and encoded, or rendered and inserted, per turn: a few milliseconds of work. The
 * spool's and SQLite's slices of one close run in the same pass of the event loop (both wait on
 * setImmediate), so their sum is the gap between two reads: with 5 000 rows, 6-9 ms each, and
 * the kernel dropped 222-432 datagrams per 70 s with a 1 MiB receive buffer; with 2 000, none.
 */
export const ROWS_PER_TURN = 2000;

/** Resolves in a later event-loop turn, after the I/O and timers that are due (the receiver's reads among them). */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Pauses between slices (of every export, whichever consumer) per full collection; the others
 * collect the young generation only. A slice's rows, strings and text are garbage once encoded or
 * inserted, but what a young collection finds alive (the record's pieces, a slice caught
 * mid-render by the heap's own collection) is old from then on, and nothing else on this thread
 * makes the heap collect it soon. Peak RSS at the benchmark's first close (100 000 keys, 10 s
 * windows, three runs each): 145-146 MiB with no collection here, 115-118 with young ones, 106-108
 * with a full one every 12 slices (7-11 ms; the young ones ~0.35 ms).
 */
export const SLICES_PER_FULL_GC = 12;
let slices = 0;

/** The pause between two slices of one export: a collection, then the next turn. */
export function betweenSlices(): Promise<void> {
  if (++slices % SLICES_PER_FULL_GC === 0) Bun.gc(true);
  else edenGC();
  return nextTurn();
}

/** Runs the calls one after another, each after the previous one settled: work split over turns stays whole. */
export function createSerial(): <T>(f: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (f) => {
    const run = tail.then(f, f);
    tail = run.catch(() => {});
    return run;
  };
}
