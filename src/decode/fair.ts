// Who gives up an entry when a bound shared by every exporter (templates, options state) is full.
// Spoofed sources can each take a little; evicting the globally least recently used entry would
// then take a quiet exporter's only template. Instead the victim is the least recently active
// exporter holding more than its fair share (the bound divided among the exporters holding
// entries); an exporter at or below its share keeps what it has. When nobody is above the share
// (all hold exactly it), the exporter asking for room recycles its own entries (or, holding none,
// the least recently active exporter gives one up); when a short search
// from the quiet end finds nobody above it, the least recently active of the largest does.

// Owners looked at from the least recently active end before settling for one of the largest.
const SCAN = 32;

export function createFairShare<T>(size: (owner: T) => number) {
  // Holders, least recently active first (a Set keeps insertion order; re-adding moves to the end).
  const order = new Set<T>();
  // Holders by size, each least recently active first, and the largest size.
  const bySize = new Map<number, Set<T>>();
  let max = 0;

  const first = (s: Set<T>): T => s.values().next().value as T;

  return {
    /** Marks an owner active (call when it sends a datagram); a no-op for non-holders. */
    touch(owner: T): void {
      if (!order.delete(owner)) return;
      order.add(owner);
      const s = bySize.get(size(owner));
      if (s?.delete(owner)) s.add(owner);
    },
    /** Call after every change of an owner's size, with the size it had before. */
    resized(owner: T, before: number): void {
      const now = size(owner);
      if (now === before) return;
      if (before > 0) {
        const s = bySize.get(before);
        s?.delete(owner);
        if (s?.size === 0) bySize.delete(before);
      }
      if (now > 0) {
        let s = bySize.get(now);
        if (!s) bySize.set(now, (s = new Set()));
        s.add(owner);
        if (now > max) max = now;
        if (before === 0) order.add(owner);
      } else order.delete(owner);
      while (max > 0 && !bySize.has(max)) max--;
    },
    /** Who gives up an entry so that `requester` can add one, `total` being held by all; null if none. */
    victim(total: number, requester: T): T | null {
      if (order.size === 0) return null;
      const share = total / order.size;
      if (max <= share) return size(requester) > 0 ? requester : first(order);
      // Owners at or below the share are passed over and moved behind the others: they are
      // protected whatever their place, and the next search does not walk them again.
      for (let n = Math.min(SCAN, order.size); n > 0; n--) {
        const o = first(order);
        if (size(o) > share) return o;
        order.delete(o);
        order.add(o);
      }
      // The ones above the share were all active lately: the least recently active largest.
      return first(bySize.get(max)!);
    },
  };
}
