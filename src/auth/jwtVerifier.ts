import { readFileSync } from "node:fs";
import { createLocalJWKSet, jwtVerify, type CryptoKey, type JSONWebKeySet, type JWTHeaderParameters, type JWTPayload } from "jose";
import type { Config } from "../config.js";
import { ConfigError } from "../config.js";
import { UnauthenticatedError } from "../domain/errors.js";
import type { Principal } from "../graphql/context.js";
import { Role } from "../generated/prisma/enums.js";

/** Claim names a portal's token carries (DESIGN §7.6 portals; README "JWT"). */
export const ROLE_CLAIM = "role";
export const CLIENT_CLAIM = "clientId";

/** Algorithms accepted with a key set file; HS256 is the only one accepted with JWT_SECRET. */
const ASYMMETRIC_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"];
/** A compact JWS: three base64url parts, the header a JSON object (`eyJ` = `{"`). */
const COMPACT_JWS = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Tells a JWT from an API key (`rk_…`) or the admin token by its shape. */
export function looksLikeJwt(token: string): boolean {
  return COMPACT_JWS.test(token);
}

export type JwtConfig = Pick<Config, "jwtSecret" | "jwtJwksFile" | "jwtIssuer" | "jwtAudience" | "jwtRoles">;

/**
 * Verifies portal tokens with jose: HS256 with JWT_SECRET and/or the public keys of a
 * JWKS file, with issuer and audience when configured. `exp` is required and honoured;
 * `role` must be one of JWT_ROLES and a CLIENT token must name its `clientId`.
 */
export class JwtVerifier {
  private readonly algorithms: string[];

  private constructor(
    private readonly key: (header: JWTHeaderParameters) => Promise<CryptoKey | Uint8Array>,
    algorithms: string[],
    private readonly config: JwtConfig,
  ) {
    this.algorithms = algorithms;
  }

  /** A verifier for the configured secret or key set; null when neither is set (JWTs refused). */
  static fromConfig(config: JwtConfig): JwtVerifier | null {
    const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : null;
    let keySet: ReturnType<typeof createLocalJWKSet> | null = null;
    if (config.jwtJwksFile) {
      let jwks: JSONWebKeySet;
      try {
        jwks = JSON.parse(readFileSync(config.jwtJwksFile, "utf8")) as JSONWebKeySet;
        keySet = createLocalJWKSet(jwks);
      } catch (error) {
        throw new ConfigError(`JWT_JWKS_FILE (${config.jwtJwksFile}) is not a readable JSON Web Key Set: ${(error as Error).message}`);
      }
    }
    if (!secret && !keySet) return null;
    const algorithms = [...(secret ? ["HS256"] : []), ...(keySet ? ASYMMETRIC_ALGORITHMS : [])];
    const key = async (header: JWTHeaderParameters) => {
      if (header.alg === "HS256" && secret) return secret;
      if (keySet) return keySet(header);
      throw new UnauthenticatedError("the token's algorithm is not accepted");
    };
    return new JwtVerifier(key, algorithms, config);
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.key(header), {
        algorithms: this.algorithms,
        issuer: this.config.jwtIssuer ?? undefined,
        audience: this.config.jwtAudience ?? undefined,
        requiredClaims: ["exp", ROLE_CLAIM],
      }));
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      const code = (error as { code?: string }).code;
      throw new UnauthenticatedError(code === "ERR_JWT_EXPIRED" ? "the token has expired" : "the token is not valid");
    }
    return this.principal(payload);
  }

  private principal(payload: JWTPayload): Principal {
    const role = payload[ROLE_CLAIM];
    if (typeof role !== "string" || !(Object.values(Role) as string[]).includes(role)) {
      throw new UnauthenticatedError(`the token's ${ROLE_CLAIM} claim must be one of ${Object.values(Role).join(", ")}`);
    }
    if (!this.config.jwtRoles.includes(role as Role)) throw new UnauthenticatedError(`tokens with role ${role} are not accepted`);
    const clientId = payload[CLIENT_CLAIM];
    if (role === "CLIENT" && (typeof clientId !== "string" || clientId === "")) {
      throw new UnauthenticatedError(`a CLIENT token needs a ${CLIENT_CLAIM} claim`);
    }
    return {
      role: role as Role,
      clientId: role === "CLIENT" ? (clientId as string) : null,
      keyId: null,
      subject: `jwt:${payload.sub ?? (role === "CLIENT" ? clientId : role)}`,
      expiresAtMs: (payload.exp as number) * 1000,
    };
  }
}
