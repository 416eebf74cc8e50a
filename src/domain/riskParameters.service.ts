import { Prisma, type RiskParameters } from "../generated/prisma/client.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import type { RiskParametersStore } from "../db/stores/riskParameters.store.js";
import { isUniqueViolation } from "../db/prismaErrors.js";
import { BadInputError, ConflictError, NotFoundError } from "./errors.js";
import { requireFinite } from "./validate.js";

/** A change of an underlying's parameters; omitted fields keep the current version's value. */
export interface RiskParameterChange {
  underlying: string;
  /** Fractions of notional. */
  initialMarginRate?: number | null;
  maintenanceMarginRate?: number | null;
  /** PORTFOLIO grid half-width R, fraction of spot. */
  portfolioRange?: number | null;
  /** SENSITIVITY delta risk weight RW, fraction of USD delta. */
  deltaRiskWeight?: number | null;
}

/** Largest PORTFOLIO range R (a ±90 % grid). */
const MAX_PORTFOLIO_RANGE = 0.9;
/** Attempts when concurrent changes race for the same version number. */
const ATTEMPTS = 5;

/**
 * Versioned risk parameters (DESIGN §7.5): every change writes the next immutable version
 * and takes effect at once — its change row names the underlying, so the read model
 * re-evaluates every unit exposed to it and the monitor judges their levels (a tighter
 * rate can raise a margin call with no market move). Bounds: 0 < mmr ≤ imr ≤ 1,
 * 0 < R ≤ 0.9, 0 < RW ≤ 1.
 */
export class RiskParametersService {
  constructor(
    private readonly store: RiskParametersStore,
    private readonly reference: ReferenceStore,
    private readonly afterWrite: () => Promise<unknown> = async () => undefined,
  ) {}

  private async underlying(symbol: string): Promise<string> {
    const known = await this.reference.underlying(symbol);
    if (!known) throw new BadInputError(`unknown underlying ${JSON.stringify(symbol)}`);
    return known.symbol;
  }

  async current(symbol: string): Promise<RiskParameters> {
    const underlying = await this.underlying(symbol);
    const row = await this.store.current(underlying);
    if (!row) throw new NotFoundError("risk parameters of", underlying);
    return row;
  }

  /** Newest first. */
  async history(symbol: string): Promise<RiskParameters[]> {
    return this.store.history(await this.underlying(symbol));
  }

  /** Writes the next version; `changedBy` names the key that set it. */
  async set(change: RiskParameterChange, changedBy: string | null): Promise<RiskParameters> {
    const underlying = await this.underlying(change.underlying);
    for (const [name, value] of Object.entries(change)) {
      if (name !== "underlying" && value != null) requireFinite(name, value as number);
    }
    for (let attempt = 1; ; attempt++) {
      const current = await this.current(underlying);
      const pick = (value: number | null | undefined, kept: Prisma.Decimal) => (value == null ? kept : new Prisma.Decimal(value));
      const next = {
        initialMarginRate: pick(change.initialMarginRate, current.initialMarginRate),
        maintenanceMarginRate: pick(change.maintenanceMarginRate, current.maintenanceMarginRate),
        portfolioRange: pick(change.portfolioRange, current.portfolioRange),
        deltaRiskWeight: pick(change.deltaRiskWeight, current.deltaRiskWeight),
      };
      checkBounds(next);
      try {
        const created = await this.store.create({ ...next, underlyingId: underlying, version: current.version + 1, changedBy });
        await this.afterWrite();
        return created;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (attempt === ATTEMPTS) throw new ConflictError(`risk parameters of ${underlying} are being changed concurrently; retry`);
      }
    }
  }
}

function checkBounds(p: { initialMarginRate: Prisma.Decimal; maintenanceMarginRate: Prisma.Decimal; portfolioRange: Prisma.Decimal; deltaRiskWeight: Prisma.Decimal }): void {
  const imr = p.initialMarginRate;
  const mmr = p.maintenanceMarginRate;
  if (!mmr.isPositive() || mmr.isZero()) throw new BadInputError(`maintenanceMarginRate (${mmr.toFixed()}) must be positive`);
  if (mmr.greaterThan(imr)) throw new BadInputError(`maintenanceMarginRate (${mmr.toFixed()}) must not exceed initialMarginRate (${imr.toFixed()})`);
  if (imr.greaterThan(1)) throw new BadInputError(`initialMarginRate (${imr.toFixed()}) must be at most 1`);
  const range = p.portfolioRange;
  if (!range.isPositive() || range.isZero() || range.greaterThan(MAX_PORTFOLIO_RANGE)) {
    throw new BadInputError(`portfolioRange (${range.toFixed()}) must be in (0, ${MAX_PORTFOLIO_RANGE}]`);
  }
  const weight = p.deltaRiskWeight;
  if (!weight.isPositive() || weight.isZero() || weight.greaterThan(1)) throw new BadInputError(`deltaRiskWeight (${weight.toFixed()}) must be in (0, 1]`);
}
