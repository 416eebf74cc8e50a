import type { Role } from "../generated/prisma/client.js";
import type { Services } from "../services.js";
import { createLoaders, type Loaders } from "./loaders.js";
import { RequestRisk } from "./risk/requestRisk.js";

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
  loaders: Loaders;
  /** Per-request memo of risk computations. */
  risk: RequestRisk;
}

export function createContext(services: Services, principal: Principal): Context {
  const loaders = createLoaders(services.stores.book, services.stores.reference);
  return { principal, services, loaders, risk: new RequestRisk(services, loaders) };
}
