import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { AuditLogConnection } from "./audit.type.js";

@Resolver()
export class AuditResolver {
  @Authorized("ADMIN")
  @Query(() => AuditLogConnection, { description: "Every mutation attempt, newest first." })
  async auditLog(
    @Ctx() ctx: Context,
    @Arg("first", () => Int, { nullable: true, description: "At most 500 (default 50)." }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string | null,
  ): Promise<AuditLogConnection> {
    const page = await ctx.services.audit.page({ first, after });
    return {
      edges: page.items.map(({ cursor, node }) => ({
        cursor,
        node: { ...node, id: String(node.id), input: JSON.stringify(node.input) },
      })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
    };
  }
}
