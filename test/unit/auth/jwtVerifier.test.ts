import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { Authenticator } from "../../../src/auth/authenticate.js";
import { JwtVerifier, looksLikeJwt, type JwtConfig } from "../../../src/auth/jwtVerifier.js";
import { UnauthenticatedError } from "../../../src/domain/errors.js";

const SECRET = "a-portal-secret-of-at-least-32-bytes!";
const base: JwtConfig = { jwtSecret: SECRET, jwtJwksFile: null, jwtIssuer: null, jwtAudience: null, jwtRoles: ["CLIENT", "RISK"] };
const nowSec = () => Math.floor(Date.now() / 1000);

function hs256(claims: JWTPayload, secret = SECRET, expiresIn: number | null = 300) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt();
  if (expiresIn !== null) jwt.setExpirationTime(nowSec() + expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}

async function refusal(verifier: JwtVerifier, token: string): Promise<string> {
  const error = await verifier.verify(token).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return (error as Error).message;
}

describe("portal JWTs", () => {
  const verifier = JwtVerifier.fromConfig(base)!;

  it("map role and clientId claims to a principal that expires with the token", async () => {
    const principal = await verifier.verify(await hs256({ role: "CLIENT", clientId: "c1", sub: "alice" }));
    expect(principal).toMatchObject({ role: "CLIENT", clientId: "c1", keyId: null, subject: "jwt:alice" });
    expect(principal.expiresAtMs).toBeGreaterThan(Date.now());
    expect(await verifier.verify(await hs256({ role: "RISK" }))).toMatchObject({ role: "RISK", clientId: null });
  });

  it("refuses an expired token", async () => {
    expect(await refusal(verifier, await hs256({ role: "CLIENT", clientId: "c1" }, SECRET, -10))).toMatch(/expired/);
  });

  it("refuses a token signed with another secret", async () => {
    await refusal(verifier, await hs256({ role: "CLIENT", clientId: "c1" }, "another-secret-that-is-32-bytes-long"));
  });

  it("refuses an unsigned token (alg none)", async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const token = `${part({ alg: "none", typ: "JWT" })}.${part({ role: "ADMIN", exp: nowSec() + 300 })}.`;
    expect(looksLikeJwt(token)).toBe(true);
    await refusal(verifier, token);
  });

  it.each([
    ["no exp", { role: "CLIENT", clientId: "c1" }, null],
    ["no role", { clientId: "c1" }, 300],
    ["an unknown role", { role: "ROOT" }, 300],
    ["a CLIENT role without clientId", { role: "CLIENT" }, 300],
    ["a role JWT_ROLES leaves out", { role: "ADMIN" }, 300],
  ] as const)("refuses a token with %s", async (_label, claims, expiresIn) => {
    await refusal(verifier, await hs256(claims, SECRET, expiresIn));
  });

  it("checks issuer and audience when configured", async () => {
    const strict = JwtVerifier.fromConfig({ ...base, jwtIssuer: "https://portal.example", jwtAudience: "risk-api" })!;
    const good = await new SignJWT({ role: "RISK" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("https://portal.example")
      .setAudience("risk-api")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    expect((await strict.verify(good)).role).toBe("RISK");
    await refusal(strict, await hs256({ role: "RISK" }));
  });

  it("verifies ES256 tokens with the public keys of a JWKS file, and only those", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const dir = mkdtempSync(join(tmpdir(), "jwks-"));
    const file = join(dir, "jwks.json");
    writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" }] }));
    const jwks = JwtVerifier.fromConfig({ ...base, jwtSecret: null, jwtJwksFile: file })!;
    const token = await new SignJWT({ role: "CLIENT", clientId: "c9" })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setExpirationTime("5m")
      .sign(privateKey);
    expect((await jwks.verify(token)).clientId).toBe("c9");
    await refusal(jwks, await hs256({ role: "CLIENT", clientId: "c9" })); // HS256 is not accepted without a secret
  });

  it("is off when neither a secret nor a key set is configured", () => {
    expect(JwtVerifier.fromConfig({ ...base, jwtSecret: null })).toBeNull();
  });

  it("are told apart from API keys by shape", async () => {
    expect(looksLikeJwt("rk_0123456789abcdef_" + "a".repeat(43))).toBe(false);
    const stored = { verify: async () => null };
    const auth = new Authenticator("an-admin-token-0123456789", stored, verifier);
    expect(await auth.authenticate(`Bearer ${await hs256({ role: "CLIENT", clientId: "c1" })}`)).toMatchObject({ clientId: "c1" });
    const noJwt = new Authenticator("an-admin-token-0123456789", stored, null);
    await expect(noJwt.authenticate(`Bearer ${await hs256({ role: "CLIENT", clientId: "c1" })}`)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
