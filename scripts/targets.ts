// What a compile takes in and what it can produce. Kept in one place because the entry list grows:
// every Worker must be an extra entry point of `bun build --compile` (DESIGN.md section 1), or the
// compiled binary cannot find it at run time.

/** The CLI first; it is what the executable runs. */
export const MAIN_ENTRY = "src/main.ts";

/**
 * Files started with `new Worker(...)`. Add each decode/receive worker here when it lands;
 * test/build/entrypoints.test.ts fails when src/ starts a Worker that is missing from this list.
 */
export const WORKER_ENTRIES: readonly string[] = ["src/workers/thread.ts", "src/report/sqlite-thread.ts"];

export const ENTRY_POINTS: readonly string[] = [MAIN_ENTRY, ...WORKER_ENTRIES];

export interface ReleaseTarget {
  /** Our name, used in tarball names and baked in as XENOFLOW_TARGET. */
  name: string;
  /** `bun build --compile --target` value. */
  bunTarget: string;
  /** npm package holding that target's Bun runtime at bin/bun, published at every Bun version. */
  npmPackage: string;
}

// 64-bit Linux only: ARM64 boards and x86-64 (baseline: no AVX2 needed, so old Atoms and VMs run it).
export const RELEASE_TARGETS: readonly ReleaseTarget[] = [
  { name: "linux-arm64", bunTarget: "bun-linux-arm64", npmPackage: "@oven/bun-linux-aarch64" },
  { name: "linux-x64-baseline", bunTarget: "bun-linux-x64-baseline", npmPackage: "@oven/bun-linux-x64-baseline" },
  { name: "linux-arm64-musl", bunTarget: "bun-linux-arm64-musl", npmPackage: "@oven/bun-linux-aarch64-musl" },
  { name: "linux-x64-musl", bunTarget: "bun-linux-x64-musl", npmPackage: "@oven/bun-linux-x64-musl" },
];

export function releaseTarget(name: string): ReleaseTarget {
  const t = RELEASE_TARGETS.find((r) => r.name === name);
  if (!t) throw new Error(`unknown target "${name}" (known: ${RELEASE_TARGETS.map((r) => r.name).join(", ")})`);
  return t;
}

/** The machine we run on, named like the release targets: a host build uses the running Bun itself. */
export function hostTargetName(): string {
  const arch = process.arch === "x64" ? "x64" : process.arch === "arm64" ? "arm64" : process.arch;
  return `${process.platform}-${arch}`;
}
