// Store work in pieces, one per event-loop turn: the single-thread collector receives on the same
// loop, and a turn that runs too long lets the kernel's receive buffer overflow.

/** Rows rendered, encoded or inserted per turn: a few milliseconds of work. */
export const ROWS_PER_TURN = 5000;

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
