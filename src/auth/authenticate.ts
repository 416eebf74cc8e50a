import { createHash, timingSafeEqual } from "node:crypto";
import type { Principal } from "../graphql/context.js";
import { UnauthenticatedError } from "../domain/errors.js";
import type { ApiKeyVerifier } from "./apiKeyVerifier.js";
import { looksLikeJwt, type JwtVerifier } from "./jwtVerifier.js";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Reads `Bearer <key>` from an Authorization header (or graphql-ws connectionParams). */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Resolves a bearer key to a principal: the environment's admin token (compared in
 * constant time, on digests so lengths do not leak) is ADMIN; a token shaped like a JWT
 * must verify with the configured secret or key set (null: JWTs are refused); anything
 * else must be a valid stored key.
 */
export class Authenticator {
  private readonly adminDigest: Buffer;

  constructor(
    adminToken: string,
    private readonly keys: Pick<ApiKeyVerifier, "verify">,
    private readonly jwt: Pick<JwtVerifier, "verify"> | null = null,
  ) {
    this.adminDigest = digest(adminToken);
  }

  async authenticate(header: unknown): Promise<Principal> {
    const token = bearerToken(header);
    if (!token) throw new UnauthenticatedError();
    if (timingSafeEqual(digest(token), this.adminDigest)) return { role: "ADMIN", clientId: null, keyId: null };
    if (looksLikeJwt(token)) {
      if (!this.jwt) throw new UnauthenticatedError("JWTs are not accepted (no JWT_SECRET or JWT_JWKS_FILE)");
      return this.jwt.verify(token);
    }
    const principal = await this.keys.verify(token);
    if (!principal) throw new UnauthenticatedError("the API key is not valid");
    return principal;
  }
}
