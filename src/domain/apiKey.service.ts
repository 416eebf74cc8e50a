import type { ApiKey, Role } from "../generated/prisma/client.js";
import { newSecret } from "../auth/apiKeySecret.js";
import type { ApiKeyStore } from "../db/stores/apiKey.store.js";
import { isUniqueViolation } from "../db/prismaErrors.js";
import type { BookService } from "./book.service.js";
import { BadInputError, NotFoundError } from "./errors.js";
import { isUuid } from "./validate.js";

export interface CreateApiKey {
  role: Role;
  clientId?: string | null;
  expiresAt?: Date | null;
}

/** A new key with its secret, which is shown once and never stored. */
export interface IssuedApiKey extends ApiKey {
  secret: string;
}

/**
 * Issues, lists and revokes API keys. CLIENT keys belong to one existing client; ADMIN and
 * RISK keys to none (they see every client).
 */
export class ApiKeyService {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly book: Pick<BookService, "requireClient">,
    /** Called after a revocation so this process stops accepting the key at once. */
    private readonly onRevoked: (prefix: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: CreateApiKey): Promise<IssuedApiKey> {
    const clientId = input.clientId ?? null;
    if (input.role === "CLIENT") {
      if (!clientId) throw new BadInputError("a CLIENT key needs a clientId");
      await this.book.requireClient(clientId);
    } else if (clientId) {
      throw new BadInputError(`a ${input.role} key sees every client and takes no clientId (got ${clientId})`);
    }
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && !(expiresAt.getTime() > this.now().getTime())) {
      throw new BadInputError(`expiresAt (${expiresAt.toISOString()}) must be in the future`);
    }
    // 64 random prefix bits make a collision practically impossible; retry once anyway.
    for (let attempt = 1; ; attempt++) {
      const { prefix, secret, hash } = newSecret();
      try {
        return { ...(await this.store.create({ prefix, hash, role: input.role, clientId, expiresAt })), secret };
      } catch (error) {
        if (attempt >= 2 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  list(filter: { clientId?: string | null }): Promise<ApiKey[]> {
    if (filter.clientId && !isUuid(filter.clientId)) return Promise.resolve([]);
    return this.store.list({ clientId: filter.clientId ?? undefined });
  }

  async revoke(id: string): Promise<ApiKey> {
    const key = isUuid(id) ? await this.store.byId(id) : null;
    if (!key) throw new NotFoundError("API key", id);
    const revoked = await this.store.revoke(key.id, this.now());
    this.onRevoked(revoked.prefix);
    return revoked;
  }
}
