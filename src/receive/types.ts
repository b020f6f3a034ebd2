// What a receiver hands on and what it promises, whichever implementation reads the sockets.
import type { Cidr, ListenAddress } from "../config/types.ts";

export interface Datagram {
  payload: Uint8Array;
  addr: string;
  port: number;
  arrivalMs: number;
}

export interface ReceiveCounters {
  datagrams: number;
  bytes: number;
  denied: number; // dropped by the allowlist
}

export interface ReceiverOptions {
  listen: readonly ListenAddress[];
  recvBuffer: number;
  allow: readonly Cidr[];
  reusePort?: boolean;
  /**
   * Called synchronously per datagram with one reused object whose payload may be overwritten
   * after the call: copy what must outlive it.
   */
  onDatagram: (d: Datagram) => void;
  /** One line per problem worth telling the operator (a capped receive buffer). */
  warn: (message: string) => void;
}

export interface Receiver {
  readonly counters: ReceiveCounters;
  /** The bound addresses (port 0 in the config becomes the kernel's choice). */
  readonly bound: readonly ListenAddress[];
  /** "recvmmsg" or "dgram": which implementation reads the sockets. */
  readonly kind: ReceiverKind;
  /** Stops delivery and closes the sockets; calling it again does nothing. */
  close(): Promise<void>;
}

export type ReceiverKind = "recvmmsg" | "dgram";
