import { describe, expect, it } from "vitest";
import type { ApiKey } from "../../../src/generated/prisma/client.js";
import { hashSecret, matchesHash, newSecret, secretPrefix } from "../../../src/auth/apiKeySecret.js";
import { ApiKeyVerifier, LAST_USED_RESOLUTION_MS } from "../../../src/auth/apiKeyVerifier.js";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const TTL_MS = 5000;

/** An in-memory key store that counts reads and writes. */
function fakeStore(rows: ApiKey[]) {
  const calls = { byPrefix: 0, touch: 0 };
  return {
    calls,
    rows,
    async byPrefix(prefix: string) {
      calls.byPrefix++;
      const row = rows.find((r) => r.prefix === prefix);
      return row ? { ...row } : null;
    },
    async touch(id: string, at: Date) {
      calls.touch++;
      rows.find((r) => r.id === id)!.lastUsedAt = at;
    },
  };
}

function keyRow(overrides: Partial<ApiKey> = {}): { row: ApiKey; secret: string } {
  const { prefix, secret, hash } = newSecret();
  const row: ApiKey = {
    id: "11111111-1111-4111-8111-111111111111",
    prefix,
    hash,
    role: "CLIENT",
    clientId: "22222222-2222-4222-8222-222222222222",
    createdAt: new Date(T0),
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
  return { row, secret };
}

/** The secret with its last character changed. */
const tamper = (secret: string) => `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;

function setup(overrides: Partial<ApiKey> = {}) {
  const { row, secret } = keyRow(overrides);
  const store = fakeStore([row]);
  const clock = { now: T0 };
  const verifier = new ApiKeyVerifier(store, TTL_MS, () => undefined, () => clock.now);
  return { row, secret, store, clock, verifier };
}

describe("API key secrets", () => {
  it("have the form rk_<prefix>_<43 base64url chars> and a SHA-256 hash of the whole secret", () => {
    const { prefix, secret, hash } = newSecret();
    expect(secret).toMatch(/^rk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(secretPrefix(secret)).toBe(prefix);
    expect(hash).toBe(hashSecret(secret));
    expect(matchesHash(secret, hash)).toBe(true);
    expect(matchesHash(tamper(secret), hash)).toBe(false);
  });

  it("reject malformed tokens without a lookup", () => {
    for (const token of ["", "rk_", "rk_zzzz_abc", "Bearer x", `rk_${"a".repeat(16)}_${"b".repeat(42)}`, "é".repeat(60)]) {
      expect(secretPrefix(token), token).toBeNull();
    }
  });
});

describe("ApiKeyVerifier", () => {
  it("resolves a valid key to its role, client and key id", async () => {
    const { secret, row, verifier } = setup();
    expect(await verifier.verify(secret)).toEqual({ role: "CLIENT", clientId: row.clientId, keyId: row.id });
  });

  it("reads the key once per TTL however many requests use it", async () => {
    const { secret, store, clock, verifier } = setup();
    for (let i = 0; i < 50; i++) {
      expect(await verifier.verify(secret)).not.toBeNull();
      clock.now += 50;
    }
    expect(store.calls.byPrefix).toBe(1);
    clock.now = T0 + TTL_MS;
    await verifier.verify(secret);
    expect(store.calls.byPrefix).toBe(2);
  });

  it("refuses a wrong secret with a known prefix, cached or not", async () => {
    const { secret, verifier } = setup();
    const forged = tamper(secret);
    expect(await verifier.verify(forged)).toBeNull();
    await verifier.verify(secret);
    expect(await verifier.verify(forged)).toBeNull();
  });

  it("stops accepting a key revoked elsewhere within the TTL, and at once after forget()", async () => {
    const { secret, row, store, clock, verifier } = setup();
    await verifier.verify(secret);
    store.rows[0] = { ...row, revokedAt: new Date(clock.now) };
    clock.now += TTL_MS - 1;
    expect(await verifier.verify(secret)).not.toBeNull();
    clock.now += 1;
    expect(await verifier.verify(secret)).toBeNull();

    const other = setup();
    await other.verifier.verify(other.secret);
    other.store.rows[0] = { ...other.row, revokedAt: new Date(other.clock.now) };
    other.verifier.forget(other.row.prefix);
    expect(await other.verifier.verify(other.secret)).toBeNull();
  });

  it("refuses an expired key from the moment it expires, even while cached", async () => {
    const { secret, clock, verifier } = setup({ expiresAt: new Date(T0 + 1000) });
    expect(await verifier.verify(secret)).not.toBeNull();
    clock.now = T0 + 1000;
    expect(await verifier.verify(secret)).toBeNull();
  });

  it("records use at most once a minute, only when it reads the row anyway", async () => {
    const { secret, store, clock, verifier } = setup();
    for (let t = 0; t < 3 * LAST_USED_RESOLUTION_MS; t += 1000) {
      clock.now = T0 + t;
      await verifier.verify(secret);
    }
    // Uses at 0 s, 60 s and 120 s (each on a TTL refresh 60 s or more after the last record).
    expect(store.calls.touch).toBe(3);
    expect(store.calls.byPrefix).toBe(36);
  });

  it("does not record use of a refused key", async () => {
    const { secret, store, verifier } = setup({ revokedAt: new Date(T0 - 1) });
    expect(await verifier.verify(secret)).toBeNull();
    expect(store.calls.touch).toBe(0);
  });
});
