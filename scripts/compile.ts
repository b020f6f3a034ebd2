// One `bun build --compile`: the entry points, the baked-in build info, and for a cross build the
// target's runtime. Not minified and never stripped: stripping an executable cuts off its embedded code.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type BuildInfo, defines } from "./buildinfo.ts";
import { ENTRY_POINTS } from "./targets.ts";

export interface CompileOptions {
  root: string;
  outfile: string;
  info: BuildInfo;
  targetName: string; // baked in as XENOFLOW_TARGET
  bunTarget?: string; // omitted: the running Bun's own platform
  executablePath?: string; // the target's runtime, so bun does not download one
}

export function compileArgs(o: CompileOptions): string[] {
  return [
    process.execPath,
    "build",
    "--compile",
    ...(o.bunTarget ? [`--target=${o.bunTarget}`] : []),
    ...(o.executablePath ? [`--compile-executable-path=${o.executablePath}`] : []),
    // Precompiled bytecode halves start-up (57 -> 26 ms for `check` on x86-64, 3.2 -> 2.1 s under
    // qemu for ARM64); ESM keeps the CLI's top-level await, which bytecode's default CJS refuses.
    "--bytecode",
    "--format=esm",
    // A server config lying in the working directory must not change how the appliance behaves.
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    ...defines(o.info, o.targetName),
    `--outfile=${o.outfile}`,
    ...ENTRY_POINTS,
  ];
}

export function compile(o: CompileOptions): void {
  mkdirSync(dirname(o.outfile), { recursive: true });
  const r = Bun.spawnSync(compileArgs(o), { cwd: o.root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    throw new Error(`bun build --compile (${o.targetName}) failed:\n${r.stderr.toString()}${r.stdout.toString()}`);
  }
}
