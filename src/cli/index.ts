// The CLI boundary: parses the command line with citty, runs one command, and turns any error
// into one line on stderr and an exit code (DESIGN.md section 2). Stack traces only with --debug.
import { type CommandDef, renderUsage, runCommand } from "citty";
import { ConfigError, XenoflowError, exitCodeOf } from "../errors.ts";
import { VERSION } from "../version.ts";
import { paint, plain, useColor } from "./tty.ts";

const subCommands: Record<string, () => Promise<CommandDef<any>>> = {
  check: () => import("./check.ts").then((m) => m.default),
  decode: () => import("./decode.ts").then((m) => m.default),
  gen: () => import("./gen.ts").then((m) => m.default),
  lookup: () => import("./lookup.ts").then((m) => m.default),
  report: () => import("./report.ts").then((m) => m.default),
  run: () => import("./run.ts").then((m) => m.default),
  replay: () => import("./replay.ts").then((m) => m.default),
  version: () => import("./version.ts").then((m) => m.default),
};

export const main: CommandDef<any> = {
  meta: { name: "xenoflow", version: VERSION, description: "NetFlow v5/v9/IPFIX collector appliance" },
  subCommands,
};

type Sub = CommandDef<any> | (() => CommandDef<any> | Promise<CommandDef<any>>);

/** The (sub-)command the words of argv name, and its full name ("xenoflow report top"). */
async function commandFor(argv: readonly string[]): Promise<{ cmd: CommandDef<any>; name: string }> {
  let cmd = main;
  const names = ["xenoflow"];
  for (const word of argv) {
    if (word.startsWith("-")) continue;
    const subs = cmd.subCommands as Record<string, Sub> | undefined;
    const sub = subs?.[word];
    if (sub === undefined) break;
    cmd = typeof sub === "function" ? await sub() : sub;
    names.push(word);
  }
  return { cmd, name: names.join(" ") };
}

export async function runCli(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  try {
    if (args.length === 0 || args.includes("--help") || args.includes("-h")) {
      const { cmd, name } = await commandFor(args);
      // The parent's name is the command's path, so the usage line reads "xenoflow report top".
      const parent = name.includes(" ") ? { meta: { name: name.slice(0, name.lastIndexOf(" ")) } } : undefined;
      const usage = await renderUsage(cmd, parent);
      console.log(useColor(process.stdout) ? usage : plain(usage));
      return args.length === 0 ? 1 : 0;
    }
    if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
      console.log(VERSION);
      return 0;
    }
    const result: unknown = await runCommand(main, { rawArgs: args });
    return typeof (result as { result?: unknown })?.result === "number" ? ((result as { result: number }).result) : 0;
  } catch (err) {
    return reportError(err, debug, (await commandFor(args)).name);
  }
}

/** `command` names the help page a usage error points at ("xenoflow report top"). */
export function reportError(err: unknown, debug: boolean, command = "xenoflow"): number {
  const help = `(see ${command} --help)`;
  const code = exitCodeOf(err);
  if (err instanceof ConfigError) {
    // The contract: one `FILE:LINE:COL: message` line per problem, nothing else.
    console.error(err.message);
  } else if (err instanceof XenoflowError) {
    const lines = err.message.split("\n").map((l) => `${paint("red", "error")}: ${l}`);
    if (err.code === "E_USAGE") lines[lines.length - 1] += ` ${help}`;
    console.error(lines.join("\n"));
  } else if (err instanceof Error && err.name === "CLIError") {
    // citty's own argument errors (unknown command, missing positional).
    console.error(`${paint("red", "error")}: ${plain(err.message)} ${help}`);
    return 1;
  } else {
    console.error(`${paint("red", "internal error")}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (debug && err instanceof Error && err.stack) console.error(err.stack);
  return code;
}
