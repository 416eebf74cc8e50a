/**
 * Plain data the risk engine works on. No I/O, no Prisma or GraphQL types: the domain
 * layer converts stored rows (Decimal) into these float64 shapes at the boundary.
 *
 * Units: prices and money in USD (stablecoins = 1), quantities in contracts,
 * volatility annual (0.5 = 50 %), rates continuously compounded per year,
 * times in epoch milliseconds.
 */

export type OptionType = "CALL" | "PUT";
export type InstrumentKind = "PERPETUAL" | "FUTURE" | "OPTION";
export type MarginMode = "CROSS" | "ISOLATED" | "PORTFOLIO";
/** The margin models of the registry (margin.ts MARGIN_MODELS); STANDARD and PORTFOLIO also drive levels. */
export type MarginModel = "STANDARD" | "PORTFOLIO" | "HISTORICAL_ES" | "SENSITIVITY";
/** The models a unit can have as its own (defaultModel): they drive levels, alerts, withdrawals and liquidation. */
export type LevelModel = "STANDARD" | "PORTFOLIO";
export type MarginLevel = "HEALTHY" | "WARNING" | "MARGIN_CALL" | "LIQUIDATION";

export interface InstrumentSpec {
  symbol: string;
  kind: InstrumentKind;
  underlying: string;
  /** Underlying units per contract. */
  contractSize: number;
  /** Epoch ms; required for FUTURE and OPTION. */
  expiryMs: number | null;
  strike: number | null;
  optionType: OptionType | null;
  /** Overrides the underlying's default rates when set (fractions of notional). */
  initialMarginRate: number | null;
  maintenanceMarginRate: number | null;
  /** Option's own volatility; the underlying's is used when null. */
  markVolatility: number | null;
}

export interface UnderlyingQuote {
  spot: number;
  volatility: number;
  rate: number;
  /** This underlying's valuation time (epoch ms); Market.asOfMs when absent. */
  asOfMs?: number;
}

export interface Market {
  /** Valuation time, epoch ms. */
  asOfMs: number;
  quotes: ReadonlyMap<string, UnderlyingQuote>;
}

export interface PositionInput {
  instrument: InstrumentSpec;
  /** Signed contracts (short < 0). */
  quantity: number;
  /** USD per underlying unit (option: premium per underlying unit). */
  averagePrice: number;
  /** USD set aside for this position in ISOLATED mode; 0 otherwise. */
  isolatedMargin: number;
}

export interface CollateralInput {
  asset: string;
  amount: number;
  /** Fraction 0..1 taken off the collateral value. */
  haircut: number;
  /** Underlying whose spot prices this asset; null for stablecoins (price 1). */
  underlying: string | null;
}

/** Default margin rates and portfolio-margin range of one underlying. */
export interface UnderlyingRiskParams {
  initialMarginRate: number;
  maintenanceMarginRate: number;
  /** PORTFOLIO grid half-width R as a fraction of spot. */
  portfolioRange: number;
  /** SENSITIVITY delta risk weight RW (fraction of the USD delta), also its curvature shock (fraction of spot). */
  deltaRiskWeight: number;
}

export interface MarginUnitInput {
  mode: MarginMode;
  collateral: CollateralInput[];
  positions: PositionInput[];
}

export type RiskParamsLookup = (underlying: string) => UnderlyingRiskParams;

export type VarMethod = "HISTORICAL" | "PARAMETRIC";

/**
 * Daily closes for VaR and historical stress replays: one column per underlying,
 * aligned with `dates`. Each row is one UTC date (yyyy-mm-dd), strictly ascending.
 */
export interface PriceHistory {
  dates: readonly string[];
  /** USD closes per underlying, index-aligned with `dates`; null where there is none. */
  closes: ReadonlyMap<string, readonly (number | null)[]>;
}

/** A relative market move: spot → S·(1 + spotMove), volatility → σ·(1 + volMove). */
export interface Shock {
  underlying: string;
  spotMove: number;
  /** Default 0. */
  volMove?: number;
}

// ---- margin attribution (DESIGN §7.3; field names and enum values as in the GraphQL contract) ----

export type MarginComponentKind =
  | "POSITION"
  | "COLLATERAL"
  | "DELTA"
  | "VEGA"
  | "CURVATURE"
  | "DELTA_ADDON"
  | "SHORT_OPTION_ADDON";

/**
 * One part of a unit's maintenance margin; the parts of a result add up to it.
 * POSITION: instrument (symbol) and underlying; COLLATERAL: asset and its underlying;
 * every other kind: underlying only.
 */
export interface MarginComponent {
  kind: MarginComponentKind;
  underlying: string | null;
  instrument: string | null;
  asset: string | null;
  /** USD (negative for a hedge under HISTORICAL_ES or SENSITIVITY). */
  amount: number;
}

export type ScenarioSet = "GRID" | "FILTERED" | "STRESSED";
export type VolBranch = "UP" | "BASE" | "DOWN";

export interface SpotMove {
  underlying: string;
  /** Relative: spot → S·(1 + spotMove). */
  spotMove: number;
}

/** A scenario that sets a unit's margin: a PORTFOLIO grid point or a HISTORICAL_ES tail scenario. */
export interface MarginScenario {
  set: ScenarioSet;
  /** GRID: the underlying the grid point belongs to; null otherwise. */
  underlying: string | null;
  /** FILTERED / STRESSED: the scenario's end date, yyyy-mm-dd; null for GRID. */
  date: string | null;
  /** Moves applied (FILTERED: after EWMA scaling), sorted by underlying. */
  spotMoves: SpotMove[];
  volBranch: VolBranch;
  /** USD: the unit's P&L in the scenario. */
  pnl: number;
}

export interface MarginAttribution {
  /** Amounts add up to the maintenance margin (relative 1e-9). */
  components: MarginComponent[];
  /** PORTFOLIO: each underlying's worst grid point; HISTORICAL_ES: the tail scenarios, worst first; otherwise empty. */
  scenarios: MarginScenario[];
}
