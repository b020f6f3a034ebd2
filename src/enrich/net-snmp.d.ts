// The part of net-snmp (no types of its own) that snmp.ts uses.
declare module "net-snmp" {
  export const Version2c: number;
  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    transport?: "udp4" | "udp6";
    version?: number;
  }
  export interface Session {
    tableColumns(
      oid: string,
      columns: number[],
      maxRepetitions: number,
      callback: (error: Error | null, table: Record<string, Record<string, unknown>>) => void,
    ): void;
    close(): void;
    on(event: "error", listener: (err: Error) => void): void;
  }
  export function createSession(target: string, community: string, options?: SessionOptions): Session;
}
