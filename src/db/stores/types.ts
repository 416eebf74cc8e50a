import type { Prisma, PrismaClient } from "../../generated/prisma/client.js";

/** A Prisma client or the transaction client handed to `$transaction(fn)`. */
export type Db = PrismaClient | Prisma.TransactionClient;
