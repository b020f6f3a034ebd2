// A listen socket the kernel refused, as the operator's error (exit 1) with the way out, instead
// of an internal error. Both receivers and the worker threads report a refused bind as text
// ("bind 0.0.0.0:2055: Address already in use (errno 98)" from recvmmsg's C library,
// "bind 0.0.0.0:2055: EADDRINUSE" from node:dgram), and a worker's error crosses a thread as text
// only, so the text is what is read here. E_CONFIG: collector.listen is what to change.
import { XenoflowError } from "../errors.ts";

const BIND = /\bbind (\S*):(\d+):/;
const IN_USE = /EADDRINUSE|Address already in use/;
const DENIED = /EACCES|Permission denied/;
// Linux: ports below net.ipv4.ip_unprivileged_port_start (1024 by default) need the capability.
const PRIVILEGED_BELOW = 1024;

/** The error with a hint when it is a refused UDP bind; null when it is something else. */
export function bindError(err: unknown): XenoflowError | null {
  const message = err instanceof Error ? err.message : String(err);
  const m = BIND.exec(message);
  if (m === null) return null;
  const [, host = "", portText = ""] = m;
  const port = Number(portText);
  const where = `udp ${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (IN_USE.test(message)) {
    return new XenoflowError("E_CONFIG", `${where}: port ${port} is in use by another program (see which: ss -lunp 'sport = :${port}'); stop it or change collector.listen`, { cause: err });
  }
  if (DENIED.test(message) && port > 0 && port < PRIVILEGED_BELOW) {
    return new XenoflowError(
      "E_CONFIG",
      `${where}: ports below ${PRIVILEGED_BELOW} need root or CAP_NET_BIND_SERVICE (systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE); or listen on a port from ${PRIVILEGED_BELOW} up (2055, 4739)`,
      { cause: err },
    );
  }
  if (DENIED.test(message)) return new XenoflowError("E_CONFIG", `${where}: permission denied by the system (a security policy?): ${message}`, { cause: err });
  return null;
}
