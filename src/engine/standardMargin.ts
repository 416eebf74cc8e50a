import { marginRatio } from "./marginLevel.js";
import { valuePosition, type PositionValuation, type UnitValuation } from "./revaluation.js";
import { linearMarginRates } from "./riskParams.js";
import type { Market, PositionInput, RiskParamsLookup } from "./types.js";

/**
 * STANDARD margin (CROSS and ISOLATED accounts). Perps/futures: IM = |q|·cs·mark·imr,
 * MM = |q|·cs·mark·mmr. Long options: none. Short options: IM = |q|·cs·S·max(0.15 −
 * OTM/S, 0.10), MM = |q|·cs·S·0.075, OTM = max(0, K − S) for calls, max(0, S − K) for puts.
 */

export interface MarginRequirement {
  /** USD. */
  initial: number;
  /** USD. */
  maintenance: number;
}

/** Short-option margin as fractions of the underlying notional |q|·cs·S. */
const SHORT_OPTION_INITIAL_BASE = 0.15;
const SHORT_OPTION_INITIAL_FLOOR = 0.1;
const SHORT_OPTION_MAINTENANCE = 0.075;

export function positionStandardMargin(valuation: PositionValuation, params: RiskParamsLookup): MarginRequirement {
  const { position, terms, mark } = valuation;
  const units = Math.abs(position.quantity) * position.instrument.contractSize;
  if (terms.kind === "LINEAR") {
    const rates = linearMarginRates(position.instrument, params);
    return { initial: units * mark * rates.initial, maintenance: units * mark * rates.maintenance };
  }
  if (position.quantity >= 0) return { initial: 0, maintenance: 0 };
  const spot = terms.spot;
  const outOfTheMoney = Math.max(0, terms.isCall ? terms.strike - spot : spot - terms.strike);
  const initialRate = Math.max(SHORT_OPTION_INITIAL_BASE - outOfTheMoney / spot, SHORT_OPTION_INITIAL_FLOOR);
  return { initial: units * spot * initialRate, maintenance: units * spot * SHORT_OPTION_MAINTENANCE };
}

/** CROSS: one pool, the positions' requirements add up. */
export function crossStandardMargin(valuation: UnitValuation, params: RiskParamsLookup): MarginRequirement {
  let initial = 0;
  let maintenance = 0;
  for (const position of valuation.positions) {
    const requirement = positionStandardMargin(position, params);
    initial += requirement.initial;
    maintenance += requirement.maintenance;
  }
  return { initial, maintenance };
}

export interface IsolatedPositionRisk extends MarginRequirement {
  position: PositionInput;
  /** USD: isolatedMargin + q·cs·(mark − averagePrice). */
  equity: number;
  /**
   * maintenance / equity (Infinity when equity ≤ 0). A position that needs no
   * maintenance margin (a long option) cannot be liquidated: its ratio is 0.
   */
  ratio: number;
}

/** An ISOLATED position standing alone on its own isolatedMargin. */
export function isolatedPositionRisk(valuation: PositionValuation, params: RiskParamsLookup): IsolatedPositionRisk {
  const requirement = positionStandardMargin(valuation, params);
  const equity = valuation.position.isolatedMargin + valuation.pnl;
  const ratio = requirement.maintenance === 0 ? 0 : marginRatio(requirement.maintenance, equity);
  return { position: valuation.position, ...requirement, equity, ratio };
}

/** USD the ledger moves from the account's USDC into a new ISOLATED position: its IM at the current mark. */
export function isolatedInitialMargin(position: PositionInput, market: Market, params: RiskParamsLookup): number {
  return positionStandardMargin(valuePosition(position, market), params).initial;
}
