import { describe, expect, test } from "bun:test";
import { createAuthorizer, unauthorized } from "../../src/http/auth.ts";

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("auth", () => {
  test("without a token everything is allowed", () => {
    const a = createAuthorizer(null);
    expect([a(null), a("Bearer x")]).toEqual([true, true]);
  });

  test("with a token: bearer, or basic with the token as password", () => {
    const a = createAuthorizer("s3cret:token");
    expect([
      a(null),
      a(""),
      a("Bearer s3cret:token"),
      a("bearer s3cret:token"),
      a("Bearer s3cret:toke"),
      a("Bearer s3cret:token2"),
      a("Token s3cret:token"),
      a(basic("admin", "s3cret:token")),
      a(basic("", "s3cret:token")),
      a(basic("s3cret:token", "")),
      a("Basic not-base64-colonless"),
    ]).toEqual([false, false, true, true, false, false, false, true, true, false, false]);
  });

  test("the 401 answer offers both schemes", async () => {
    const r = unauthorized();
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toBe('Basic realm="xenoflow", charset="UTF-8", Bearer realm="xenoflow"');
    expect(await r.text()).toBe("401 unauthorized: send the [http] token as a bearer token\n");
  });
});
