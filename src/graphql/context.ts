import type { Role } from "../generated/prisma/client.js";
import type { Services } from "../services.js";
import { RequestUnits } from "./risk/requestUnits.js";

/** Who is calling: an API key's role, and its client for CLIENT keys. */
export interface Principal {
  role: Role;
  clientId: string | null;
  /** Stored key id; null for the environment's admin token and for JWTs. */
  keyId: string | null;
  /** Who a JWT was issued to (`jwt:<sub>`), for per-caller limits; absent for keys. */
  subject?: string;
  /** When the credential stops being valid (a JWT's exp), epoch ms; absent when it does not expire by itself. */
  expiresAtMs?: number;
}

export interface Context {
  principal: Principal;
  services: Services;
  /** The margin units this request reads, each taken from the book once. */
  units: RequestUnits;
}

/** A request's context, once the in-memory book has every write committed before the request (see ReadModel.ensureCurrent). */
export async function createContext(services: Services, principal: Principal): Promise<Context> {
  await services.readModel.ensureCurrent();
  const meter = services.engineBudget.meter(principal.keyId ?? `env:${principal.role}`);
  return { principal, services, units: new RequestUnits(services, meter) };
}
