import { defaultFieldResolver, type GraphQLSchema } from "graphql";
import { BadInputError } from "../domain/errors.js";
import { isStorableText } from "../domain/validate.js";

const isPlainObject = (value: object) => [Object.prototype, null].includes(Object.getPrototypeOf(value));

/** The path of the first string argument that cannot be stored, or null. */
function unstorablePath(value: unknown, path: string): string | null {
  if (typeof value === "string") return isStorableText(value) ? null : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = unstorablePath(item, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === "object" && isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = unstorablePath(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Refuses, with BAD_USER_INPUT, query and mutation arguments holding a NUL character or a
 * lone surrogate, before a resolver passes them to PostgreSQL (which fails on NUL with an
 * encoding error). One check at the root fields covers every string argument of the API.
 */
export function rejectUnstorableText(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (field.args.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (root, args, ctx, info) => {
        const path = unstorablePath(args, info.fieldName);
        if (path) throw new BadInputError(`${path} must be Unicode text without NUL characters`);
        return resolve(root, args, ctx, info);
      };
    }
  }
  return schema;
}
