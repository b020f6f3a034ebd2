import { describe, expect, test } from "bun:test";
import type { Cidr } from "../../src/config/types.ts";
import { buildPrefixTable } from "../../src/enrich/networks.ts";
import { BLOCK_SPLIT } from "../../src/enrich/geo.ts";
import { cidrContains, formatV4, formatV6, parseAddressWords, parseCidr } from "../../src/net/address.ts";

const cidr = (t: string): Cidr => parseCidr(t) as Cidr;

/** The longest match by brute force: the reference the table must agree with. */
function brute(prefixes: Cidr[], family: number, w: Uint32Array): number {
  let best = -1;
  prefixes.forEach((c, i) => {
    if (cidrContains(c, family, w) && (best < 0 || c.bits > prefixes[best]!.bits)) best = i;
  });
  return best;
}

describe("longest-prefix match", () => {
  test("nested, adjacent and edge prefixes, IPv4, IPv6 and IPv4-mapped", () => {
    const ps = ["0.0.0.0/1", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "10.2.0.0/16", "255.255.255.0/24", "2001:db8::/32", "2001:db8:1::/48", "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"].map(cidr);
    const t = buildPrefixTable(ps);
    const at = (a: string) => {
      const w = new Uint32Array(4);
      return t.match(parseAddressWords(a, w), w, 0);
    };
    expect(["10.1.2.3", "10.1.2.4", "10.1.3.1", "10.2.255.255", "10.3.0.0", "127.0.0.1", "128.0.0.1", "255.255.255.255", "::ffff:10.1.2.3"].map(at)).toEqual([4, 3, 2, 5, 1, 0, -1, 6, 4]);
    expect(["2001:db8::1", "2001:db8:1::1", "2001:db9::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1"].map(at)).toEqual([7, 8, 9, 10, 9]);
    expect(t.match(0, new Uint32Array(4), 0)).toBe(-1);
    const v4 = (a: string) => t.block4(cidr(`${a}/32`).words[0], 24);
    expect(["10.1.2.0", "10.1.3.9", "10.3.0.0", "255.255.255.7", "128.0.0.1"].map(v4)).toEqual([BLOCK_SPLIT, 2, 1, 6, -1]);
    const v6 = (a: string) => t.block6(cidr(`${a}/128`).words[0], cidr(`${a}/128`).words[1], 48);
    expect(["2001:db8:1::", "2001:db8::", "2001:db9::", "ffff:ffff:ffff::"].map(v6)).toEqual([8, 7, 9, BLOCK_SPLIT]);
  });

  test("agrees with brute force on 20 000 random prefixes", () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const ps: Cidr[] = [];
    const seen = new Set<string>();
    while (ps.length < 20_000) {
      const v6 = (rnd() & 3) === 0;
      const bits = v6 ? 16 + (rnd() % 113) : 8 + (rnd() % 25);
      // Addresses inside a few /8s (or /16s) so that prefixes nest.
      const text = v6 ? `2001:db8:${(rnd() & 7).toString(16)}:${(rnd() & 0xffff).toString(16)}::/${bits}` : `10.${rnd() & 3}.${rnd() & 255}.${rnd() & 255}/${bits}`;
      const w = new Uint32Array(4);
      const fam = parseAddressWords(text.split("/")[0]!, w);
      for (let k = 0; k < 4; k++) for (let b = 0; b < 32; b++) if (k * 32 + b >= bits) w[k] = w[k]! & ~(1 << (31 - b));
      const c: Cidr = { family: fam as 4 | 6, words: [w[0]! >>> 0, w[1]! >>> 0, w[2]! >>> 0, w[3]! >>> 0], bits, text: `${fam}:${[...w].join(".")}/${bits}` };
      if (seen.has(c.text)) continue;
      seen.add(c.text);
      ps.push(c);
    }
    const t = buildPrefixTable(ps);
    for (let n = 0; n < 1000; n++) {
      const v6 = (n & 1) === 1;
      const w = v6 ? Uint32Array.of(0x20010db8, rnd() & 0x7ffff, rnd(), rnd()) : Uint32Array.of((0x0a000000 | (rnd() & 0x3ffff)) >>> 0, 0, 0, 0);
      const fam = v6 ? 6 : 4;
      expect(t.match(fam, w, 0)).toBe(brute(ps, fam, w));
      // A block is one range unless a longer prefix lies inside it.
      const block = cidr(v6 ? `${formatV6(w[0]!, (w[1]! & 0xffff0000) >>> 0, 0, 0)}/48` : `${formatV4((w[0]! & 0xffffff00) >>> 0)}/24`);
      const split = ps.some((c) => c.bits > block.bits && cidrContains(block, c.family, Uint32Array.from(c.words)));
      expect(v6 ? t.block6(w[0]!, w[1]!, 48) : t.block4(w[0]!, 24)).toBe(split ? BLOCK_SPLIT : brute(ps, fam, w));
    }
  });
});
