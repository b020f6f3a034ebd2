// What the docs use besides the binary, shipped by `make install` under $(PREFIX)/share/xenoflow
// (/usr/local/share/xenoflow by default) and by every release tarball in the same layout:
//   sql/        the PostgreSQL report functions (docs/GRAFANA.md: psql -f .../sql/install.sql)
//   grafana/    the dashboard JSON to import
//   scripts/    the example alert scripts (docs/ALERTS.md), executable
//   examples/   example configs; their relative paths (../scripts/rtbh.sh, limits/) hold here too
//   doc/        README.md and docs/*.md
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

export interface SharedFile {
  /** Path under the share directory, "/"-separated. */
  name: string;
  /** Path in the checkout. */
  from: string;
  mode: number;
}

/** Every file under `dir` (relative to `root`), sorted. */
function walk(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(root, join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

const under = (root: string, dir: string, to: string, mode: number): SharedFile[] =>
  walk(root, dir).map((from) => ({ name: join(to, relative(dir, from)), from, mode }));

export function sharedFiles(root: string): SharedFile[] {
  return [
    ...under(root, "sql", "sql", 0o644),
    ...under(root, "config/grafana", "grafana", 0o644),
    ...under(root, "config/scripts", "scripts", 0o755),
    ...under(root, "config/examples", "examples", 0o644),
    { name: "doc/README.md", from: "README.md", mode: 0o644 },
    ...under(root, "docs", "doc", 0o644),
  ];
}

/** The directories the shared files need, each once ("sql/", "examples/limits/", ...). */
export function sharedDirs(files: readonly SharedFile[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) for (let d = dirname(f.name); d !== "."; d = dirname(d)) dirs.add(`${d}/`);
  return [...dirs].sort();
}

/** `make install`: copies the shared files into `dest` (DESTDIR + DATADIR) with their modes. */
export async function installShared(root: string, dest: string): Promise<number> {
  const files = sharedFiles(root);
  for (const d of sharedDirs(files)) {
    mkdirSync(join(dest, d), { recursive: true });
    chmodSync(join(dest, d), 0o755); // whatever the umask: the service user reads these
  }
  for (const f of files) {
    const to = join(dest, f.name);
    writeFileSync(to, await Bun.file(join(root, f.from)).bytes());
    chmodSync(to, f.mode);
  }
  return files.length;
}
