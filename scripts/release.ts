// `make release`: one tarball per target under dist/release plus SHA256SUMS. Each tarball holds one
// directory, xenoflow-<version>-<target>/, with everything an install on a board needs: the binary,
// its config, unit and sysctl file, and the shared files (share.ts) in the layout make install uses.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BuildInfo } from "./buildinfo.ts";
import { compile } from "./compile.ts";
import { installedConfig } from "./installed-config.ts";
import { ensureRuntime } from "./runtime.ts";
import { sharedDirs, sharedFiles } from "./share.ts";
import { type ReleaseTarget, RELEASE_TARGETS } from "./targets.ts";
import { type TarEntry, tarGz } from "./tar.ts";

/** Files next to the binary in every tarball: name in the tarball <- path in the checkout. */
const PAYLOAD: readonly { name: string; from: string; installed?: true }[] = [
  { name: "xenoflow.toml", from: "config/xenoflow.toml", installed: true },
  { name: "xenoflow.service", from: "systemd/xenoflow.service" },
  { name: "xenoflow.sysctl.conf", from: "systemd/xenoflow.sysctl.conf" },
  { name: "README.md", from: "README.md" },
  { name: "INSTALL.md", from: "docs/INSTALL.md" },
  { name: "LICENSE", from: "LICENSE" },
];

export interface ReleaseOptions {
  root: string;
  info: BuildInfo;
  outDir: string; // dist/release
  cacheDir: string; // .cache/bun-runtimes
  targets?: readonly ReleaseTarget[];
  log?: (line: string) => void;
}

export function tarballName(info: BuildInfo, t: ReleaseTarget): string {
  return `xenoflow-${info.version}-${t.name}.tar.gz`;
}

async function payload(root: string): Promise<TarEntry[]> {
  const top = PAYLOAD.map(async (p): Promise<TarEntry> => {
    const text = await Bun.file(join(root, p.from)).bytes();
    const data = p.installed ? new TextEncoder().encode(installedConfig(new TextDecoder().decode(text))) : text;
    return { name: p.name, mode: 0o644, data };
  });
  const shared = sharedFiles(root);
  const files = shared.map(async (f): Promise<TarEntry> => ({ name: f.name, mode: f.mode, data: await Bun.file(join(root, f.from)).bytes() }));
  return [...sharedDirs(shared).map((name) => ({ name, mode: 0o755 })), ...(await Promise.all([...top, ...files]))];
}

export async function release(o: ReleaseOptions): Promise<string[]> {
  const targets = o.targets ?? RELEASE_TARGETS;
  const log = o.log ?? (() => {});
  const files = await payload(o.root); // read first: a missing file fails before minutes of compiling
  mkdirSync(o.outDir, { recursive: true });
  for (const f of readdirSync(o.outDir)) if (f.endsWith(".tar.gz") || f === "SHA256SUMS") rmSync(join(o.outDir, f));
  const staging = join(o.outDir, ".staging");

  const sums: string[] = [];
  for (const t of targets) {
    const runtime = await ensureRuntime(t, o.info.bunVersion, o.cacheDir);
    const bin = join(staging, t.name, "xenoflow");
    compile({ root: o.root, outfile: bin, info: o.info, targetName: t.name, bunTarget: t.bunTarget, executablePath: runtime });
    const top = `xenoflow-${o.info.version}-${t.name}/`;
    const entries: TarEntry[] = [
      { name: top, mode: 0o755 },
      { name: `${top}xenoflow`, mode: 0o755, data: await Bun.file(bin).bytes() },
      ...files.map((f) => ({ ...f, name: top + f.name })),
    ];
    const gz = tarGz(entries, o.info.sourceDate);
    const name = tarballName(o.info, t);
    await Bun.write(join(o.outDir, name), gz);
    // sha256sum -c format: two spaces, then the file name.
    sums.push(`${new Bun.CryptoHasher("sha256").update(gz).digest("hex")}  ${name}`);
    log(`${name}  ${(gz.length / 1048576).toFixed(1)} MiB`);
  }
  rmSync(staging, { recursive: true, force: true });
  sums.sort((a, b) => (a.slice(66) < b.slice(66) ? -1 : 1));
  await Bun.write(join(o.outDir, "SHA256SUMS"), `${sums.join("\n")}\n`);
  return sums;
}
