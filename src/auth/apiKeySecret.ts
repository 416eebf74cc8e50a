import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API key secrets: `rk_<prefix>_<32 random bytes, base64url>`. The prefix is public and
 * finds the stored row; only a SHA-256 of the whole secret is stored. A plain hash is
 * enough (no salt or slow KDF) because the secret carries 256 random bits.
 */
const SECRET = /^rk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewSecret {
  prefix: string;
  secret: string;
  hash: string;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function newSecret(): NewSecret {
  const prefix = randomBytes(8).toString("hex");
  const secret = `rk_${prefix}_${randomBytes(32).toString("base64url")}`;
  return { prefix, secret, hash: hashSecret(secret) };
}

/** The lookup prefix of a well-formed secret, else null (then no database read is needed). */
export function secretPrefix(token: string): string | null {
  return SECRET.exec(token)?.[1] ?? null;
}

/** Compares a presented secret with a stored hash in constant time. */
export function matchesHash(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
