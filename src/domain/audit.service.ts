import type { AuditLog, Prisma } from "../generated/prisma/client.js";
import type { AuditStore } from "../db/stores/audit.store.js";
import { pageSize, type Page } from "./book.service.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { toStorableText } from "./validate.js";

/** Longest argument summary kept per entry (characters of JSON). */
export const MAX_AUDIT_INPUT_CHARS = 2048;

export interface MutationAttempt {
  apiKeyId: string | null;
  operation: string;
  args: unknown;
  /** null when the mutation succeeded. */
  errorCode: string | null;
}

interface AuditCursor {
  id: number;
}
const isAuditCursor = (v: unknown): v is AuditCursor => typeof v === "object" && v !== null && Number.isSafeInteger((v as AuditCursor).id);

/** The arguments as JSON (text made storable), or their first characters when longer than the limit. */
export function summarizeInput(args: unknown): Prisma.InputJsonValue {
  const text = JSON.stringify(args ?? {}, (_key, value: unknown) => (typeof value === "string" ? toStorableText(value) : value));
  if (text.length <= MAX_AUDIT_INPUT_CHARS) return JSON.parse(text) as Prisma.InputJsonValue;
  // The cut may split a surrogate pair.
  return { truncated: toStorableText(text.slice(0, MAX_AUDIT_INPUT_CHARS)) };
}

/** Records every mutation attempt and pages through the trail, newest first. */
export class AuditService {
  constructor(
    private readonly store: AuditStore,
    /** A failed write is reported, never thrown: the mutation's own outcome stands. */
    private readonly onWriteFailed: (error: unknown, attempt: MutationAttempt) => void,
  ) {}

  async record(attempt: MutationAttempt): Promise<void> {
    try {
      await this.store.append({
        apiKeyId: attempt.apiKeyId,
        operation: attempt.operation,
        input: summarizeInput(attempt.args),
        errorCode: attempt.errorCode,
      });
    } catch (error) {
      this.onWriteFailed(error, attempt);
    }
  }

  async page(args: { first?: number | null; after?: string | null }): Promise<Omit<Page<AuditLog>, "totalCount">> {
    const size = pageSize(args.first);
    const after = args.after ? decodeCursor(args.after, isAuditCursor).id : null;
    const rows = await this.store.page(after, size + 1);
    const items = rows.slice(0, size).map((node) => ({ cursor: encodeCursor({ id: node.id }), node }));
    return { items, hasNextPage: rows.length > size };
  }
}
