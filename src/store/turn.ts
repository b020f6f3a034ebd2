// Yielding to the event loop between pieces of store work: the single-thread collector receives
// on the same loop, and a turn that runs too long lets the kernel's receive buffer overflow.

/** Resolves in a later event-loop turn, after the I/O and timers that are due (the receiver's reads among them). */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
