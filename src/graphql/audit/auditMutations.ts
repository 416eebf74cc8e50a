import { defaultFieldResolver, type GraphQLSchema } from "graphql";
import type { Context } from "../context.js";
import { errorCode } from "../errors.js";

/**
 * Records every Mutation field in the audit log, in the same request, once it has
 * answered: with its error code when it failed, including refusals by role and
 * argument validation. Wrapping the schema's root fields (rather than an Apollo plugin)
 * covers mutations sent over WebSocket too.
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (root, args, ctx: Context, info) => {
      const attempt = { apiKeyId: ctx.principal.keyId, operation: info.fieldName, args };
      try {
        const result = await resolve(root, args, ctx, info);
        await ctx.services.audit.record({ ...attempt, errorCode: null });
        return result;
      } catch (error) {
        await ctx.services.audit.record({ ...attempt, errorCode: errorCode(error) });
        throw error;
      }
    };
  }
  return schema;
}
