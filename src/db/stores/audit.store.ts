import type { AuditLog, Prisma, PrismaClient } from "../../generated/prisma/client.js";

export interface AuditRecord {
  apiKeyId: string | null;
  operation: string;
  input: Prisma.InputJsonValue;
  errorCode: string | null;
}

/** The audit trail: append and read only (the table refuses UPDATE and DELETE). */
export class AuditStore {
  constructor(private readonly prisma: PrismaClient) {}

  async append(record: AuditRecord): Promise<void> {
    await this.prisma.auditLog.create({ data: record });
  }

  /** Newest first, entries older than `beforeId`. */
  page(beforeId: number | null, take: number): Promise<AuditLog[]> {
    return this.prisma.auditLog.findMany({
      where: beforeId === null ? undefined : { id: { lt: beforeId } },
      orderBy: { id: "desc" },
      take,
    });
  }
}
