// How long the batched receiver (mmsg.ts) sleeps between two reads of its sockets. Every wakeup
// has a fixed price, whatever it reads: ~75 µs of CPU on the benchmark VM (the event loop, the
// system calls, a thread switch, caches gone cold), where all the work on a datagram of 29
// records costs ~7 µs (docs/PERFORMANCE.md, "Seventh round"). So while traffic flows it sleeps
// long enough for about PER_WAKEUP datagrams at the rate just seen, bounded twice: by
// ACTIVE_MAX_MS, so that a jump in the rate after a slow spell finds at most that much time's
// worth of datagrams waiting, and by the receive buffer, so that what arrives during one sleep
// takes at most a quarter of what the kernel keeps for the socket. An empty read between two
// bursts keeps that sleep (within the quarter at the highest rate seen). When traffic stops it
// backs off, up to QUIET_MAX_MS, as far as the buffer would hold a quarter's worth at the
// highest rate this receiver has seen (before any traffic: at UNSEEN_CHARGE_PER_MS), and to
// IDLE_MS at least. An idle collector on a small board then wakes ~20 times a second instead
// of ~125, each wakeup as dear as when it reads.

export const POLL_MS = 1; // the shortest sleep between reads
export const ACTIVE_MAX_MS = 10; // the longest sleep while traffic flows
export const PER_WAKEUP = 160; // datagrams a read should find, when the rate and buffer allow
export const IDLE_MS = 8; // the back-off's least ceiling
export const QUIET_MAX_MS = 50; // the longest sleep: a burst after a quiet spell waits at most this long
export const QUIET_MS = 200; // no datagram for this long: back off
/**
 * What the kernel charges a datagram beyond its payload (struct sk_buff, struct skb_shared_info,
 * the payload rounded up to its allocation): the receive buffer fills by "truesize", not by
 * payload. Rounded up, so that the estimate errs towards shorter sleeps.
 */
export const DATAGRAM_OVERHEAD = 1024;
/**
 * Linux's net.core.rmem_default: what a socket holds when the granted size could not be read.
 * Linux doubles the SO_RCVBUF asked for, and the caller's figure is the undoubled one.
 */
export const DEFAULT_BUFFER = 212992;
/**
 * The rate a receiver that has seen no traffic yet sizes its quiet sleeps for, in bytes charged
 * per ms: 4 M flows/s of NetFlow v9 (138 datagrams a ms of 29 records, 1388 bytes each), about what
 * one core takes. With collector.workers > 1 a worker that no exporter hashes to stays at this.
 */
export const UNSEEN_CHARGE_PER_MS = 138 * (1388 + DATAGRAM_OVERHEAD);

export interface Pace {
  /** After a read round: what it got and when it ended; returns the next sleep in ms. */
  next(datagrams: number, bytes: number, nowMs: number): number;
}

/** `buffer`: the receive buffer granted per socket (SO_RCVBUF as read back, halved), 0 if unknown. */
export function createPace(buffer: number, startMs: number): Pace {
  // The kernel keeps twice the granted size (socket(7)); a quarter of it per sleep.
  const budget = (2 * (buffer > 0 ? buffer : DEFAULT_BUFFER)) / 4;
  let wait = POLL_MS;
  let lastData = 0;
  let lastRound = startMs;
  // The most the buffer has been charged per ms over ACTIVE_MAX_MS or more; 0 until traffic
  // came. Not per round: a round of 1 ms that caught a sender's burst would speak for 50.
  let peak = 0;
  // The charge per ms of the last such span. A read that finds a few datagrams just after a
  // backlog was drained says little of the rate: sized by that read alone, the next sleep could
  // last ACTIVE_MAX_MS, longer than the buffer holds at the rate that goes on.
  let recent = 0;
  let charged = 0;
  let chargedMs = 0;
  return {
    next(datagrams, bytes, nowMs) {
      if (datagrams > 0) lastData = nowMs;
      const dt = Math.max(1, nowMs - lastRound);
      lastRound = nowMs;
      const charge = bytes + datagrams * DATAGRAM_OVERHEAD;
      charged += charge;
      chargedMs += dt;
      if (chargedMs >= ACTIVE_MAX_MS) {
        recent = charged / chargedMs;
        peak = Math.max(peak, recent);
        charged = 0;
        chargedMs = 0;
      }
      // Traffic in the last QUIET_MS keeps the short interval: exporters and senders pace in
      // bursts, and an empty read between two of them is no sign of a quiet spell.
      if (nowMs - lastData >= QUIET_MS) {
        const ceiling = Math.min(QUIET_MAX_MS, Math.max(IDLE_MS, Math.floor(budget / (peak > 0 ? peak : UNSEEN_CHARGE_PER_MS))));
        wait = Math.min(wait * 2, ceiling);
        return wait;
      }
      // Polling every POLL_MS until the next datagram instead made a trickle of ten datagrams a
      // second cost ~800 wakeups a second.
      if (datagrams <= 0) {
        if (peak > 0) wait = Math.max(POLL_MS, Math.min(wait, Math.floor(budget / peak)));
        return wait;
      }
      const perMs = datagrams / dt;
      const chargePerMs = Math.max(charge / dt, recent);
      const want = Math.min(PER_WAKEUP / perMs, budget / chargePerMs, ACTIVE_MAX_MS);
      wait = Math.max(POLL_MS, Math.floor(want));
      return wait;
    },
  };
}
