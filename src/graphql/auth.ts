import type { AuthChecker } from "type-graphql";
import type { Role } from "../generated/prisma/client.js";
import { ForbiddenError } from "../domain/errors.js";
import type { Context, Principal } from "./context.js";

/**
 * `@Authorized(roles)` check. ADMIN passes everywhere; other roles must be listed.
 * Refusals are FORBIDDEN (the caller is known but not allowed).
 */
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  const { role } = context.principal;
  if (role === "ADMIN" || roles.length === 0 || roles.includes(role)) return true;
  throw new ForbiddenError();
};

/** Row-level visibility: a CLIENT key sees its own client's rows only. */
export function canSee(principal: Principal, clientId: string): boolean {
  return principal.role !== "CLIENT" || principal.clientId === clientId;
}

/** Client filter a list must apply for this principal (undefined = all clients). */
export function clientScope(principal: Principal, requested: string | null | undefined): string | null | undefined {
  if (principal.role !== "CLIENT") return requested;
  // A CLIENT asking for another client's list gets an empty one, as if it had none.
  if (requested && requested !== principal.clientId) return "00000000-0000-0000-0000-000000000000";
  return principal.clientId;
}
