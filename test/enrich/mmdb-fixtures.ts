// Small .mmdb files for the enrichment tests, written by Debian's libmaxmind-db-writer-perl
// (test/fixtures/enrich/write-mmdb.pl), and the reference answers of Debian's mmdblookup.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const WRITER = resolve(import.meta.dir, "../fixtures/enrich/write-mmdb.pl");

export type Networks = Record<string, Record<string, unknown>>;

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "xenoflow-enrich-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a database of `type` holding `networks` to `out`. */
export function writeMmdb(out: string, type: string, networks: Networks, ipVersion: 4 | 6 = 6): void {
  const r = Bun.spawnSync(["perl", WRITER, out], { stdin: Buffer.from(JSON.stringify({ type, ip_version: ipVersion, networks })) });
  if (r.exitCode !== 0) throw new Error(`write-mmdb.pl: ${r.stderr.toString()}`);
}

export const country = (iso: string) => ({ country: { iso_code: iso } });
export const asn = (n: number, org: string) => ({ autonomous_system_number: n, autonomous_system_organization: org });

/** mmdblookup's value at `path` for `ip` (a string or number), or null when it has none. */
export function mmdblookup(file: string, ip: string, ...path: string[]): string | number | null {
  const r = Bun.spawnSync(["mmdblookup", "-f", file, "-i", ip, ...path]);
  const out = r.stdout.toString();
  if (r.exitCode !== 0 || out.includes("Could not find")) return null;
  const s = /"([^"]*)" <utf8_string>/.exec(out);
  if (s) return s[1]!;
  const n = /(\d+) <uint32>/.exec(out);
  return n ? Number(n[1]) : null;
}
