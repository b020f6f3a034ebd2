// The few socket calls of the C library the batched receiver needs (socket(2), bind(2),
// setsockopt(2), getsockopt(2), getsockname(2), recvmmsg(2), close(2)), through bun:ffi.
// Loaded once per thread; null where there is no Linux C library to load (the node:dgram
// receiver is used instead).
import { dlopen, FFIType, type Pointer, read } from "bun:ffi";

// <sys/socket.h>, <netinet/in.h>, <asm-generic/socket.h> and <errno.h> on Linux.
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const IPPROTO_UDP = 17;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_RCVBUF = 8;
export const SO_REUSEPORT = 15;
export const IPPROTO_IPV6 = 41;
export const IPV6_V6ONLY = 26;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;
export const EINTR = 4;
export const EAGAIN = 11;

const SYMBOLS = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  getsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  getsockname: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  recvmmsg: { args: [FFIType.i32, FFIType.ptr, FFIType.u32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  strerror: { args: [FFIType.i32], returns: FFIType.cstring },
  __errno_location: { args: [], returns: FFIType.ptr },
} as const;

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  // Addresses are plain numbers (bun:ffi's ptr() of the caller's own buffer).
  bind(fd: number, addr: number, len: number): number;
  setsockopt(fd: number, level: number, name: number, value: number, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: number, len: number): number;
  getsockname(fd: number, addr: number, len: number): number;
  /** With no timeout: the sockets are non-blocking. */
  recvmmsg(fd: number, msgvec: number, vlen: number, flags: number): number;
  close(fd: number): number;
  /** errno of this thread, read right after the failing call. */
  errno(): number;
  strerror(errno: number): string;
}

// glibc, then musl (which names its library after the architecture).
const CANDIDATES = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`, "libc.so"];

let loaded: Libc | null | undefined;

export function loadLibc(): Libc | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.platform !== "linux") return loaded;
  for (const name of CANDIDATES) {
    try {
      const s = dlopen(name, SYMBOLS).symbols;
      const errnoAt = s.__errno_location();
      if (errnoAt === null) continue;
      loaded = {
        socket: s.socket,
        bind: (fd, addr, len) => s.bind(fd, addr as Pointer, len),
        setsockopt: (fd, level, name, value, len) => s.setsockopt(fd, level, name, value as Pointer, len),
        getsockopt: (fd, level, name, value, len) => s.getsockopt(fd, level, name, value as Pointer, len as Pointer),
        getsockname: (fd, addr, len) => s.getsockname(fd, addr as Pointer, len as Pointer),
        recvmmsg: (fd, msgvec, vlen, flags) => s.recvmmsg(fd, msgvec as Pointer, vlen, flags, null),
        close: s.close,
        errno: () => read.i32(errnoAt, 0),
        strerror: (e) => String(s.strerror(e)),
      };
      return loaded;
    } catch {
      // Not this library; try the next name.
    }
  }
  return loaded;
}
