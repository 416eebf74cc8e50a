import type { ApiKey, PrismaClient, Role } from "../../generated/prisma/client.js";

export interface NewApiKey {
  prefix: string;
  hash: string;
  role: Role;
  clientId: string | null;
  expiresAt: Date | null;
}

/** Stored API keys: rows are created and revoked, never deleted; secrets are stored as hashes. */
export class ApiKeyStore {
  constructor(private readonly prisma: PrismaClient) {}

  create(data: NewApiKey): Promise<ApiKey> {
    return this.prisma.apiKey.create({ data });
  }

  byPrefix(prefix: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findUnique({ where: { prefix } });
  }

  byId(id: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findUnique({ where: { id } });
  }

  /** Newest first. */
  list(filter: { clientId?: string }): Promise<ApiKey[]> {
    return this.prisma.apiKey.findMany({ where: { clientId: filter.clientId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  }

  /** Sets revokedAt once; revoking again keeps the first time. */
  async revoke(id: string, at: Date): Promise<ApiKey> {
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    return this.prisma.apiKey.findUniqueOrThrow({ where: { id } });
  }

  /** Records use, skipping the write when another request or instance recorded it since `staleBefore`. */
  async touch(id: string, at: Date, staleBefore: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({
      where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
      data: { lastUsedAt: at },
    });
  }
}
