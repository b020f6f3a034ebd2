// Bun runtimes for cross-compiling, taken from the npm registry only: `npm pack` of the target's
// @oven/bun-* package at exactly the pinned Bun version, unpacked once into a cache directory and
// handed to `bun build --compile-executable-path`, so a release never makes Bun download anything.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ReleaseTarget } from "./targets.ts";
import { readTarGz } from "./tar.ts";

const NPM_BINARY = "package/bin/bun";

interface Cached {
  package: string;
  version: string;
  integrity: string; // from npm: the registry's checksum of the tarball we unpacked
  sha256: string; // of the unpacked binary, to notice a truncated or edited cache
}

function sha256(data: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

async function readCached(dir: string, target: ReleaseTarget, version: string): Promise<string | undefined> {
  const bin = join(dir, "bun");
  const meta = Bun.file(join(dir, "cache.json"));
  if (!existsSync(bin) || !(await meta.exists())) return undefined;
  const m = (await meta.json()) as Partial<Cached>;
  if (m.package !== target.npmPackage || m.version !== version) return undefined;
  return sha256(await Bun.file(bin).bytes()) === m.sha256 ? bin : undefined;
}

/** Path of the target's Bun binary at `version`, fetched with `npm pack` when not cached yet. */
export async function ensureRuntime(target: ReleaseTarget, version: string, cacheRoot: string): Promise<string> {
  const dir = join(cacheRoot, `${target.npmPackage.replace(/^@oven\//, "")}-${version}`);
  const hit = await readCached(dir, target, version);
  if (hit) return hit;

  mkdirSync(cacheRoot, { recursive: true });
  const work = mkdtempSync(join(cacheRoot, ".pack-"));
  try {
    const spec = `${target.npmPackage}@${version}`;
    const npm = process.env.NPM ?? "npm";
    const r = Bun.spawnSync([npm, "pack", spec, "--json", "--pack-destination", work], {
      stdout: "pipe",
      stderr: "pipe",
    });
    if (r.exitCode !== 0) throw new Error(`npm pack ${spec} failed:\n${r.stderr.toString().trim()}`);
    const [packed] = JSON.parse(r.stdout.toString()) as { filename: string; integrity: string; version: string }[];
    if (!packed || packed.version !== version) throw new Error(`npm pack ${spec}: unexpected answer ${r.stdout}`);

    const binary = readTarGz(await Bun.file(join(work, packed.filename)).bytes()).get(NPM_BINARY);
    if (!binary || binary.length === 0) throw new Error(`${packed.filename}: no ${NPM_BINARY}`);
    const staged = join(work, "bun");
    await Bun.write(staged, binary);
    chmodSync(staged, 0o755);
    const meta: Cached = { package: target.npmPackage, version, integrity: packed.integrity, sha256: sha256(binary) };
    await Bun.write(join(work, "cache.json"), `${JSON.stringify(meta, null, 2)}\n`);
    rmSync(join(work, packed.filename));
    // Renaming the whole directory makes the cache entry appear complete or not at all.
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    return join(dir, "bun");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
