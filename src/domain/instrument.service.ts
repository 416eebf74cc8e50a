import { Prisma, type Instrument, type InstrumentKind, type OptionType } from "../generated/prisma/client.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import { isUniqueViolation } from "../db/prismaErrors.js";
import { BadInputError, ConflictError } from "./errors.js";
import { requireRange, requireStorablePositive, requireText } from "./validate.js";

export interface CreateInstrument {
  symbol: string;
  kind: InstrumentKind;
  underlying: string;
  expiry?: Date | null;
  strike?: number | null;
  optionType?: OptionType | null;
  /** Underlying units per contract; default 1. */
  contractSize?: number | null;
  initialMarginRate?: number | null;
  maintenanceMarginRate?: number | null;
  markVolatility?: number | null;
}

const SYMBOL = /^[A-Z0-9][A-Z0-9._:-]*$/;

function decimalOrNull(value: number | null | undefined): Prisma.Decimal | null {
  return value === null || value === undefined ? null : new Prisma.Decimal(value);
}

export class InstrumentService {
  constructor(
    private readonly store: ReferenceStore,
    /** Runs after a committed creation, e.g. the read model catching up. */
    private readonly afterCreate: () => Promise<unknown> = async () => undefined,
  ) {}

  /**
   * Creates an instrument; repeating the same definition returns the existing one
   * (safe to retry), a different definition under a taken symbol is a CONFLICT.
   */
  async create(input: CreateInstrument): Promise<Instrument> {
    const data = await this.validate(input);
    const existing = await this.store.instrumentBySymbol(data.symbol);
    if (existing) return sameDefinition(existing, data);
    try {
      const created = await this.store.createInstrument(data);
      await this.afterCreate();
      return created;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const raced = await this.store.instrumentBySymbol(data.symbol);
      if (!raced) throw error;
      return sameDefinition(raced, data);
    }
  }

  private async validate(input: CreateInstrument): Promise<Prisma.InstrumentUncheckedCreateInput & { symbol: string }> {
    const symbol = requireText("symbol", input.symbol, 64);
    if (!SYMBOL.test(symbol)) throw new BadInputError(`symbol ${JSON.stringify(symbol)} may hold only A–Z, 0–9 and . _ : -`);
    const underlying = await this.store.underlying(input.underlying);
    if (!underlying) throw new BadInputError(`unknown underlying ${JSON.stringify(input.underlying)}`);
    const contractSize = requireStorablePositive("contractSize", input.contractSize ?? 1);
    for (const [name, rate] of [["initialMarginRate", input.initialMarginRate], ["maintenanceMarginRate", input.maintenanceMarginRate]] as const) {
      if (rate !== null && rate !== undefined) requireRange(name, rate, 1e-6, 1);
    }
    if (input.initialMarginRate != null && input.maintenanceMarginRate != null && input.maintenanceMarginRate > input.initialMarginRate) {
      throw new BadInputError(`maintenanceMarginRate (${input.maintenanceMarginRate}) must not exceed initialMarginRate (${input.initialMarginRate})`);
    }
    if (input.markVolatility != null) requireRange("markVolatility", input.markVolatility, 1e-4, 10);

    const { kind } = input;
    const expiry = input.expiry ?? null;
    if (kind === "PERPETUAL" && expiry) throw new BadInputError("a PERPETUAL has no expiry");
    if (kind !== "OPTION" && (input.strike != null || input.optionType != null)) {
      throw new BadInputError(`strike and optionType apply to options only (kind ${kind})`);
    }
    if (kind !== "OPTION" && input.markVolatility != null) throw new BadInputError("markVolatility applies to options only");
    if (kind !== "PERPETUAL") {
      if (!expiry) throw new BadInputError(`a ${kind} needs an expiry`);
      if (Number.isNaN(expiry.getTime())) throw new BadInputError("expiry is not a valid time");
      // "Now" is the underlying's valuation time, so replays of past markets can list their contracts.
      const [market] = await this.store.marketStates([underlying.symbol]);
      const now = market?.asOf ?? new Date();
      if (expiry.getTime() <= now.getTime()) {
        throw new BadInputError(`expiry (${expiry.toISOString()}) must be after the market time ${now.toISOString()}`);
      }
    }
    if (kind === "OPTION") {
      if (input.strike == null) throw new BadInputError("an OPTION needs a strike");
      requireStorablePositive("strike", input.strike);
      if (!input.optionType) throw new BadInputError("an OPTION needs an optionType (CALL or PUT)");
    }
    return {
      symbol,
      kind,
      underlyingId: underlying.symbol,
      contractSize: new Prisma.Decimal(contractSize),
      expiry,
      strike: decimalOrNull(input.strike),
      optionType: input.optionType ?? null,
      initialMarginRate: decimalOrNull(input.initialMarginRate),
      maintenanceMarginRate: decimalOrNull(input.maintenanceMarginRate),
      markVolatility: decimalOrNull(input.markVolatility),
    };
  }
}

function sameDefinition(existing: Instrument, data: Prisma.InstrumentUncheckedCreateInput): Instrument {
  const eq = (a: Prisma.Decimal | null, b: unknown) =>
    a === null ? b === null : b !== null && a.equals(b as Prisma.Decimal);
  const same =
    existing.kind === data.kind &&
    existing.underlyingId === data.underlyingId &&
    (existing.expiry?.getTime() ?? null) === ((data.expiry as Date | null)?.getTime() ?? null) &&
    existing.optionType === (data.optionType ?? null) &&
    eq(existing.strike, data.strike ?? null) &&
    eq(existing.contractSize, data.contractSize) &&
    eq(existing.initialMarginRate, data.initialMarginRate ?? null) &&
    eq(existing.maintenanceMarginRate, data.maintenanceMarginRate ?? null) &&
    eq(existing.markVolatility, data.markVolatility ?? null);
  if (!same) throw new ConflictError(`instrument ${existing.symbol} already exists with a different definition`);
  return existing;
}
