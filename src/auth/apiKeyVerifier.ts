import type { ApiKey } from "../generated/prisma/client.js";
import type { ApiKeyStore } from "../db/stores/apiKey.store.js";
import type { Principal } from "../graphql/context.js";
import { matchesHash, secretPrefix } from "./apiKeySecret.js";

/** lastUsedAt is written at most this often per key: usage is coarse, writes stay rare. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** Bounds the cache; only keys that exist are cached, so this is rarely reached. */
const MAX_CACHED_KEYS = 10_000;

interface CachedKey {
  row: ApiKey;
  loadedAtMs: number;
}

/**
 * Resolves stored API keys. A key's row is cached for `ttlMs`, so a request in steady
 * state costs no SQL statement for authentication; revocation elsewhere takes effect
 * within that time (here at once, through `forget`). The hash, revocation and expiry are
 * checked on every request, cached or not.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, CachedKey>();

  constructor(
    private readonly store: Pick<ApiKeyStore, "byPrefix" | "touch">,
    private readonly ttlMs: number,
    private readonly onTouchFailed: (error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The principal of a valid key; null for an unknown, wrong, revoked or expired one. */
  async verify(token: string): Promise<Principal | null> {
    const prefix = secretPrefix(token);
    if (!prefix) return null;
    const { row, fresh } = await this.load(prefix);
    if (!row || !matchesHash(token, row.hash)) return null;
    const now = this.now();
    if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
    // Only on a cache refresh, which already read the row: steady-state requests write nothing.
    if (fresh && (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS)) {
      this.store.touch(row.id, new Date(now), new Date(now - LAST_USED_RESOLUTION_MS)).catch(this.onTouchFailed);
    }
    return { role: row.role, clientId: row.clientId, keyId: row.id };
  }

  /** Drops a key's cached row, e.g. right after it was revoked by this process. */
  forget(prefix: string): void {
    this.cache.delete(prefix);
  }

  private async load(prefix: string): Promise<{ row: ApiKey | null; fresh: boolean }> {
    const cached = this.cache.get(prefix);
    if (cached && this.now() - cached.loadedAtMs < this.ttlMs) return { row: cached.row, fresh: false };
    const row = await this.store.byPrefix(prefix);
    this.cache.delete(prefix);
    if (row) {
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(prefix, { row, loadedAtMs: this.now() });
    }
    return { row, fresh: true };
  }
}
