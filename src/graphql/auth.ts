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

/** Where an event's owner is found: the request's (or connection's) batch loaders fit. */
export interface OwnerLookup {
  account: { load(id: string): Promise<{ clientId: string } | null> };
  portfolio: { load(id: string): Promise<{ clientId: string } | null> };
}

/**
 * Whether a margin-call event may reach this principal: ADMIN and RISK see all; a CLIENT
 * key only events of its own client's accounts and portfolios. The event's clientId is
 * used when it carries one, else its unit's owner is looked up.
 */
export async function canSeeEvent(
  principal: Principal,
  event: { clientId?: string | null; accountId: string | null; portfolioId: string | null },
  owners: OwnerLookup,
): Promise<boolean> {
  if (principal.role !== "CLIENT") return true;
  if (event.clientId) return canSee(principal, event.clientId);
  const unit = event.accountId
    ? await owners.account.load(event.accountId)
    : event.portfolioId ? await owners.portfolio.load(event.portfolioId) : null;
  return unit !== null && canSee(principal, unit.clientId);
}
