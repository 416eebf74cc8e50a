import { EngineInputError } from "./errors.js";
import { getOrCreate } from "./getOrCreate.js";
import { markAt } from "./instruments.js";
import { quoteFor } from "./market.js";
import { byUnderlying } from "./ordering.js";
import type { MarginRequirement } from "./standardMargin.js";
import type { MarginAttribution, MarginComponent, MarginUnitInput, Market, RiskParamsLookup } from "./types.js";
import { marketMemo, pricedGreeks, pricedInstrument, type PricedInstrument } from "./valuationCache.js";

/**
 * SENSITIVITY margin (DESIGN §7.2; ISDA SIMM's shape with a crypto calibration, not SIMM):
 *   Δ$_u = USD delta of the unit on u (positions and collateral at full amount, as unitGreeks),
 *   V$_u = Σ_options q·cs·vega_j·(100·σ_j) (USD per 100 % relative vol move; vega per point),
 *   WS_u = RW_u·Δ$_u, VS_u = 0.30·V$_u,
 *   DELTA = √max(0, Σ_uv ρ_uv WS_u WS_v), VEGA = √max(0, Σ_uv ρ_uv VS_u VS_v),
 *   CVR_u = −min(O_u(S(1+RW)) − O_u(S) − RW·D_u, O_u(S(1−RW)) − O_u(S) + RW·D_u) with O_u the
 *   value of the unit's options on u (vol unchanged) and D_u their USD delta,
 *   CURVATURE = Σ_u max(0, CVR_u); MM = DELTA + VEGA + CURVATURE, IM = 1.25·MM.
 * RW_u = params(u).deltaRiskWeight (defaults BTC 0.15, ETH 0.20, others 0.25), also the
 * curvature shock. ρ: BTC–ETH 0.80, BTC–SOL 0.70, ETH–SOL 0.70, other pairs 0.50.
 * Readings: σ_j is the option's markVolatility when set, else its underlying's; futures
 * count in Δ$ with their delta e^(rT); an expired option (T ≤ 0) has its intrinsic value.
 */

export const VEGA_RISK_WEIGHT = 0.3;
const INITIAL_TO_MAINTENANCE = 1.25;
const VOL_POINTS = 100; // vega is per 0.01 of volatility
/** ρ of the named pairs; any other pair of distinct underlyings has 0.50. */
const CORRELATIONS: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map([
  ["BTC", new Map([["ETH", 0.8], ["SOL", 0.7]])],
  ["ETH", new Map([["BTC", 0.8], ["SOL", 0.7]])],
  ["SOL", new Map([["BTC", 0.7], ["ETH", 0.7]])],
]);
const DEFAULT_CORRELATION = 0.5;

/** ρ between two underlyings' sensitivities (1 on the diagonal). */
export function sensitivityCorrelation(a: string, b: string): number {
  if (a === b) return 1;
  return CORRELATIONS.get(a)?.get(b) ?? DEFAULT_CORRELATION;
}

export interface UnderlyingSensitivity {
  underlying: string;
  /** USD: Δ$_u. */
  deltaUsd: number;
  /** USD: V$_u. */
  vegaUsd: number;
  /** Fraction: RW_u. */
  riskWeight: number;
  /** USD: WS_u = RW_u·Δ$_u. */
  weightedDelta: number;
  /** USD: VS_u = 0.30·V$_u. */
  weightedVega: number;
  /** USD: CVR_u (may be negative; max(0, CVR_u) counts). */
  curvatureRisk: number;
}

export interface SensitivityMarginResult extends MarginRequirement {
  /** USD. */
  delta: number;
  vega: number;
  curvature: number;
  /** Sorted by underlying. */
  byUnderlying: UnderlyingSensitivity[];
}

/** What one underlying unit of an instrument adds, on one market and risk weight. */
interface SensitivityRow {
  riskWeight: number;
  /** USD: delta·S. */
  deltaUsd: number;
  /** USD: vega·100·σ (0 for perps and futures). */
  vegaUsd: number;
  isOption: boolean;
  /** USD: mark(S(1 ± RW)) − mark (options only). */
  up: number;
  down: number;
}

const rows = new WeakMap<PricedInstrument, SensitivityRow>();

function requireRiskWeight(underlying: string, riskWeight: number): void {
  if (!(Number.isFinite(riskWeight) && riskWeight > 0 && riskWeight <= 1)) {
    throw new EngineInputError(`${underlying} delta risk weight (${riskWeight}) must be in (0, 1]`);
  }
}

interface Accumulator {
  underlying: string;
  spot: number;
  riskWeight: number;
  deltaUsd: number;
  vegaUsd: number;
  /** Σ units·(O(S(1±RW)) − O(S)) and the options' USD delta. */
  optionUp: number;
  optionDown: number;
  optionDeltaUsd: number;
}

function accumulate(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): Accumulator[] {
  const memo = marketMemo(market);
  const byName = new Map<string, Accumulator>();
  const accumulatorFor = (underlying: string): Accumulator =>
    getOrCreate(byName, underlying, () => {
      const riskWeight = params(underlying).deltaRiskWeight;
      requireRiskWeight(underlying, riskWeight);
      const { spot } = quoteFor(market, underlying);
      return { underlying, spot, riskWeight, deltaUsd: 0, vegaUsd: 0, optionUp: 0, optionDown: 0, optionDeltaUsd: 0 };
    });
  for (const { instrument, quantity } of unit.positions) {
    const acc = accumulatorFor(instrument.underlying);
    const priced = pricedInstrument(memo, instrument, market);
    let row = rows.get(priced);
    if (!row || row.riskWeight !== acc.riskWeight) {
      const { terms, mark } = priced;
      const greeks = pricedGreeks(memo, instrument, market);
      const isOption = terms.kind === "OPTION";
      row = {
        riskWeight: acc.riskWeight,
        deltaUsd: greeks.delta * terms.spot,
        vegaUsd: isOption ? greeks.vega * VOL_POINTS * terms.volatility : 0,
        isOption,
        up: isOption ? markAt(terms, terms.spot * (1 + acc.riskWeight)) - mark : 0,
        down: isOption ? markAt(terms, terms.spot * (1 - acc.riskWeight)) - mark : 0,
      };
      rows.set(priced, row);
    }
    const units = quantity * instrument.contractSize;
    acc.deltaUsd += units * row.deltaUsd;
    if (!row.isOption) continue;
    acc.vegaUsd += units * row.vegaUsd;
    acc.optionUp += units * row.up;
    acc.optionDown += units * row.down;
    acc.optionDeltaUsd += units * row.deltaUsd;
  }
  for (const { underlying, amount } of unit.collateral) {
    if (underlying === null) continue;
    const acc = accumulatorFor(underlying);
    acc.deltaUsd += amount * acc.spot;
  }
  return [...byName.values()].sort(byUnderlying);
}

/** (ρ·x)_u for every u. */
function correlated(names: readonly string[], x: readonly number[]): number[] {
  return names.map((a, i) => {
    let sum = 0;
    for (let j = 0; j < names.length; j++) sum += sensitivityCorrelation(a, names[j]) * x[j];
    return sum;
  });
}

/** √max(0, xᵀρx) and Euler parts x_u·(ρx)_u / total (all 0 when the total is 0). */
function aggregate(names: readonly string[], x: readonly number[]): { total: number; parts: number[] } {
  const rho = correlated(names, x);
  let quadratic = 0;
  for (let i = 0; i < x.length; i++) quadratic += x[i] * rho[i];
  const total = Math.sqrt(Math.max(0, quadratic));
  return { total, parts: x.map((xi, i) => (total === 0 ? 0 : (xi * rho[i]) / total)) };
}

interface Evaluated {
  result: SensitivityMarginResult;
  deltaParts: number[];
  vegaParts: number[];
}

function evaluate(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): Evaluated {
  const accs = accumulate(unit, market, params);
  const names = accs.map((acc) => acc.underlying);
  const byUnderlying: UnderlyingSensitivity[] = accs.map((acc) => ({
    underlying: acc.underlying,
    deltaUsd: acc.deltaUsd,
    vegaUsd: acc.vegaUsd,
    riskWeight: acc.riskWeight,
    weightedDelta: acc.riskWeight * acc.deltaUsd,
    weightedVega: VEGA_RISK_WEIGHT * acc.vegaUsd,
    curvatureRisk:
      0 -
      Math.min(
        acc.optionUp - acc.riskWeight * acc.optionDeltaUsd,
        acc.optionDown + acc.riskWeight * acc.optionDeltaUsd,
      ),
  }));
  const delta = aggregate(names, byUnderlying.map((u) => u.weightedDelta));
  const vega = aggregate(names, byUnderlying.map((u) => u.weightedVega));
  let curvature = 0;
  for (const u of byUnderlying) curvature += Math.max(0, u.curvatureRisk);
  const maintenance = delta.total + vega.total + curvature;
  return {
    result: {
      initial: INITIAL_TO_MAINTENANCE * maintenance,
      maintenance,
      delta: delta.total,
      vega: vega.total,
      curvature,
      byUnderlying,
    },
    deltaParts: delta.parts,
    vegaParts: vega.parts,
  };
}

export function sensitivityMargin(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): SensitivityMarginResult {
  return evaluate(unit, market, params).result;
}

/**
 * Attribution (DESIGN §7.3), per underlying: DELTA = WS_u·(Σ_v ρ_uv WS_v)/DELTA, VEGA
 * likewise (Euler parts of the correlated sums; 0 when the total is 0) and CURVATURE =
 * max(0, CVR_u). DELTA is listed for every exposed underlying; VEGA and CURVATURE only
 * where they are not 0. No scenarios.
 */
export function sensitivityAttribution(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): MarginAttribution {
  const { result, deltaParts, vegaParts } = evaluate(unit, market, params);
  const components: MarginComponent[] = [];
  const part = (kind: MarginComponent["kind"], underlying: string, amount: number): MarginComponent => ({
    kind,
    underlying,
    instrument: null,
    asset: null,
    amount,
  });
  result.byUnderlying.forEach(({ underlying, curvatureRisk }, i) => {
    components.push(part("DELTA", underlying, deltaParts[i]));
    if (vegaParts[i] !== 0) components.push(part("VEGA", underlying, vegaParts[i]));
    if (curvatureRisk > 0) components.push(part("CURVATURE", underlying, curvatureRisk));
  });
  return { components, scenarios: [] };
}
