import {
  getNullableType,
  isInputObjectType,
  isListType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from "graphql";
import { canonicalId } from "../domain/validate.js";

const isId = (type: GraphQLInputType) => isScalarType(type) && type.name === "ID";

/** True when a value of this type can hold an ID anywhere inside it. */
function holdsId(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const inner = getNullableType(type);
  if (isListType(inner)) return holdsId(inner.ofType, seen);
  if (isId(inner)) return true;
  if (!isInputObjectType(inner) || seen.has(inner.name)) return false;
  seen.add(inner.name);
  return Object.values(inner.getFields()).some((field) => holdsId(field.type, seen));
}

/** The value with every ID inside it in its canonical spelling. */
function canonical(type: GraphQLInputType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const inner = getNullableType(type);
  if (isListType(inner)) return Array.isArray(value) ? value.map((item) => canonical(inner.ofType, item)) : canonical(inner.ofType, value);
  if (isId(inner)) return typeof value === "string" ? canonicalId(value) : value;
  if (!isInputObjectType(inner) || typeof value !== "object") return value;
  const fields = inner.getFields();
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fields[key] ? canonical(fields[key].type, item) : item]));
}

function canonicalArgs(args: readonly GraphQLArgument[], values: Record<string, unknown>): Record<string, unknown> {
  const out = { ...values };
  for (const arg of args) if (arg.name in out) out[arg.name] = canonical(arg.type, out[arg.name]);
  return out;
}

/**
 * Every ID argument, at any depth of its input (e.g. `deposit(input: { accountId })`),
 * reaches resolvers and services in its canonical spelling (`canonicalId`): an account
 * asked for by its id in upper case is the same account. One wrapper per field that
 * takes an ID, including subscriptions' `subscribe`.
 */
export function canonicalIds(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.some((arg) => holdsId(arg.type))) continue;
      const wrap = (resolve: GraphQLFieldResolver<unknown, unknown> | undefined) =>
        resolve && ((root: unknown, args: Record<string, unknown>, ctx: unknown, info: GraphQLResolveInfo) => resolve(root, canonicalArgs(field.args, args), ctx, info));
      field.resolve = wrap(field.resolve);
      field.subscribe = wrap(field.subscribe);
    }
  }
  return schema;
}
