// Access control off loopback (DESIGN.md section 3, [http] token): Prometheus sends the token as
// a bearer token; a browser opening the dashboard gets the Basic prompt and sends it as the
// password (any user name), and then sends it again with every API fetch on its own. Both are
// compared in constant time: digests of equal length, whatever the candidate's length.
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s).digest();

export type Authorize = (authorization: string | null) => boolean;

export function createAuthorizer(token: string | null): Authorize {
  if (token === null) return () => true;
  const want = digest(token);
  return (header) => {
    const candidate = credential(header);
    // Compare even when there is none, so a missing header costs what a wrong one does.
    const ok = timingSafeEqual(digest(candidate ?? ""), want);
    return candidate !== null && ok;
  };
}

function credential(header: string | null): string | null {
  if (header === null) return null;
  const m = /^\s*(Bearer|Basic)\s+(\S+)\s*$/i.exec(header);
  if (!m) return null;
  const value = m[2] ?? "";
  if ((m[1] ?? "").toLowerCase() === "bearer") return value;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/** The 401 answer: both schemes, so a browser shows its login prompt. */
export function unauthorized(): Response {
  const headers = new Headers({ "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  headers.append("www-authenticate", 'Basic realm="xenoflow", charset="UTF-8"');
  headers.append("www-authenticate", 'Bearer realm="xenoflow"');
  return new Response("401 unauthorized: send the [http] token as a bearer token\n", { status: 401, headers });
}
