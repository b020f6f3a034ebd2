// The few error types xenoflow throws. Each carries a stable code; the CLI boundary turns them
// into one line and an exit code (1 = the user's input, 2 = ours).

export type ErrorCode =
  | "E_CONFIG" // the configuration file is wrong (located: FILE:LINE:COL)
  | "E_USAGE" // bad command-line arguments
  | "E_INPUT" // an input file (capture, limits CSV) is unreadable or malformed
  | "E_STORE" // the database refused or is unreachable
  | "E_INTERNAL"; // a bug

export class XenoflowError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "XenoflowError";
  }
}

/** One problem in a configuration file, located as precisely as the parser allows. */
export interface ConfigIssue {
  file: string;
  line?: number; // 1-based
  col?: number; // 1-based
  path?: string; // key path, when TOML gives no position ("mo[1].window[0].every")
  message: string;
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line !== undefined ? `${i.file}:${i.line}:${i.col ?? 1}` : i.path ? `${i.file}: ${i.path}` : i.file;
  return `${where}: ${i.message}`;
}

/** A configuration with one or more issues; the message holds one line per issue. */
export class ConfigError extends XenoflowError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super("E_CONFIG", issues.map(formatIssue).join("\n"));
    this.issues = issues;
    this.name = "ConfigError";
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof XenoflowError) return err.code === "E_INTERNAL" ? 2 : 1;
  return 2;
}

const FILE_REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory, not a file",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many symbolic links",
};

/** An input file that cannot be read, as the user's error: "nonexist.pcap: no such file". */
export function inputFileError(file: string, err: unknown): XenoflowError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? "";
  const reason = FILE_REASONS[code] ?? (code ? `cannot read it (${code})` : `cannot read it: ${String(err)}`);
  return new XenoflowError("E_INPUT", `${file}: ${reason}`, { cause: err });
}

/** A capture without a NetFlow/IPFIX datagram (to the chosen ports): nothing to decode or send. */
export function noFlowDatagrams(file: string, ports: readonly number[] | undefined): XenoflowError {
  const to = ports ? ` to UDP port ${ports.join(", ")}` : "";
  const hint = ports ? "try without --port" : "is it a capture of the exporter's UDP traffic (tcpdump -i any -w FILE udp port 2055)?";
  return new XenoflowError("E_INPUT", `${file} holds no NetFlow v5/v9, IPFIX or sFlow datagrams${to}; ${hint}`);
}
