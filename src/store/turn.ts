// Store work in pieces, one per event-loop turn: the single-thread collector receives on the same
// loop, and a turn that runs too long lets the kernel's receive buffer overflow.

/**
 * Rows rendered and encoded, or rendered and inserted, per turn: a few milliseconds of work. The
 * spool's and SQLite's slices of one close run in the same pass of the event loop (both wait on
 * setImmediate), so their sum is the gap between two reads: with 5 000 rows, 6-9 ms each, and
 * the kernel dropped 222-432 datagrams per 70 s with a 1 MiB receive buffer; with 2 000, none.
 */
export const ROWS_PER_TURN = 2000;

/** Resolves in a later event-loop turn, after the I/O and timers that are due (the receiver's reads among them). */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the calls one after another, each after the previous one settled: work split over turns stays whole. */
export function createSerial(): <T>(f: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (f) => {
    const run = tail.then(f, f);
    tail = run.catch(() => {});
    return run;
  };
}
