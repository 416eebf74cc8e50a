import type { GraphQLRequest } from "@apollo/server";

/**
 * A request's operation name and variables (after `prefix`) as one string, for keys of
 * what is kept per operation; null when the variables cannot be serialised (nested too
 * deep for the stack, which a hostile client can send): such a request is simply not kept.
 */
export function operationKey(prefix: unknown[], request: GraphQLRequest): string | null {
  try {
    return JSON.stringify([...prefix, request.operationName ?? null, request.variables ?? null]);
  } catch {
    return null;
  }
}
