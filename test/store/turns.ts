// How many event-loop turns pass while `work` runs: a store write on the collector's thread must
// let the loop turn (the receiver reads in those turns), not hold it until it is done.
export async function turnsDuring<T>(work: () => Promise<T>): Promise<{ turns: number; value: T }> {
  let turns = 0;
  let spinning = true;
  const spin = () => {
    turns++;
    if (spinning) setImmediate(spin);
  };
  setImmediate(spin);
  try {
    const value = await work();
    return { turns, value };
  } finally {
    spinning = false;
  }
}
