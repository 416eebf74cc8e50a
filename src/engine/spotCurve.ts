import { MIN_STD_DEV, bsAtSpot, bsSpotTerms, type BsSpotTerms, type BsSpotValue } from "./blackScholesKernel.js";
import { quoteFor } from "./market.js";
import { SCENARIO_COUNT, SPOT_STEPS, VOL_SCENARIOS, volScenarios } from "./portfolioGrid.js";
import { NET_DELTA_CHARGE, SHORT_OPTION_CHARGE } from "./portfolioMargin.js";
import { valuePosition } from "./revaluation.js";
import type { CurveSample } from "./rootFinding.js";
import { gridMoves } from "./scenarioTable.js";
import { positionStandardMargin } from "./standardMargin.js";
import type { CollateralInput, MarginModel, Market, PositionInput, RiskParamsLookup } from "./types.js";

/**
 * How the part of a margin unit's shortfall f(P) = equity(P) − MM(P) that belongs to one
 * underlying moves with that underlying's spot P (other spots, vols, rates and time
 * fixed), for the liquidation root finder.
 *
 * Only the positions on that underlying and the collateral priced by it move with P.
 * Everything else is a constant for the whole search: other underlyings' equity and
 * margin (PORTFOLIO margin is Σ_u MM_u with no offset across underlyings; STANDARD
 * margin is a sum over positions) and cash. The caller values that rest once; the curve
 * gives the underlying's own equity(P) − MM_u(P), re-pricing only its options: under
 * PORTFOLIO each of them on the 13 × 3 grid around P, under STANDARD once.
 *
 * Units: P and values in USD, slope = d/dP in USD per USD of spot (underlying units).
 */
export interface SpotCurve {
  at(price: number): CurveSample;
  /**
   * USD: spots where f jumps. Under PORTFOLIO an expired option's delta steps at its
   * strike, and with it the 0.01·|net delta|·P charge; f is continuous elsewhere.
   */
  breaks: number[];
}

/**
 * How an option position counts in equity: its value q·cs·mark in a pool, its P&L
 * q·cs·(mark − averagePrice) when an ISOLATED position stands alone.
 */
export type OptionEquity = "VALUE" | "PNL";

/** Options with identical pricing terms (one instrument held in several positions) are merged into one leg. */
interface OptionLeg {
  /** Underlying units held, signed: Σ q·cs. */
  units: number;
  /** At the market's own volatility (the mark). */
  base: BsSpotTerms;
  /** The grid's three volatility scenarios, up/base/down; the middle one is `base` itself. */
  grid: BsSpotTerms[];
}

/** Moving parts of a book on one underlying, gathered at the current spot. */
interface MovingBook {
  /** USD: equity that does not move with P (isolated margins, −q·cs·averagePrice of linear positions, …). */
  fixedEquity: number;
  /** Σ q·cs·forwardFactor of perps and futures: their marks are forwardFactor·P. */
  linearUnits: number;
  /** Σ amount of collateral holdings: full amount on the PORTFOLIO grid and in net delta. */
  collateralUnits: number;
  /** Σ amount·(1 − haircut): what the holdings add to equity per USD of spot. */
  collateralValueUnits: number;
  /** Σ |q·cs| over short option positions (not netted across positions). */
  shortOptionUnits: number;
  /** USD at the current spot: STANDARD MM of the positions. */
  standardMaintenance: number;
  legs: OptionLeg[];
}

function movingBook(
  positions: readonly PositionInput[],
  collateral: readonly CollateralInput[],
  underlying: string,
  market: Market,
  params: RiskParamsLookup,
  model: MarginModel,
  optionEquity: OptionEquity,
): MovingBook {
  const book: MovingBook = {
    fixedEquity: 0,
    linearUnits: 0,
    collateralUnits: 0,
    collateralValueUnits: 0,
    shortOptionUnits: 0,
    standardMaintenance: 0,
    legs: [],
  };
  const legs = new Map<string, OptionLeg>();
  for (const position of positions) {
    if (position.instrument.underlying !== underlying) continue;
    const valuation = valuePosition(position, market);
    if (model === "STANDARD") book.standardMaintenance += positionStandardMargin(valuation, params).maintenance;
    const units = position.quantity * position.instrument.contractSize;
    const { terms } = valuation;
    book.fixedEquity += position.isolatedMargin;
    if (terms.kind === "LINEAR") {
      book.fixedEquity -= units * position.averagePrice;
      book.linearUnits += units * terms.forwardFactor;
      continue;
    }
    if (optionEquity === "PNL") book.fixedEquity -= units * position.averagePrice;
    if (units < 0) book.shortOptionUnits -= units;
    const key = `${terms.isCall}|${terms.strike}|${terms.years}|${terms.volatility}|${terms.rate}`;
    const leg = legs.get(key);
    if (leg) {
      leg.units += units;
      continue;
    }
    const base = bsSpotTerms(terms.isCall, terms.strike, terms.years, terms.volatility, terms.rate);
    const grid =
      model === "PORTFOLIO"
        ? volScenarios(terms.volatility, terms.years).map((volatility, j) =>
            j === 1 ? base : bsSpotTerms(terms.isCall, terms.strike, terms.years, volatility, terms.rate),
          )
        : [];
    legs.set(key, { units, base, grid });
  }
  book.legs = [...legs.values()];
  for (const { underlying: name, amount, haircut } of collateral) {
    if (name !== underlying) continue;
    book.collateralUnits += amount;
    book.collateralValueUnits += amount * (1 - haircut);
  }
  return book;
}

/**
 * equity(P) − MM_u(P) of the positions on `underlying` and the collateral it prices (see
 * SpotCurve). Validates like valuePosition; the caller has already valued the whole unit
 * at the current spot, so nothing new throws.
 */
export function spotCurve(
  positions: readonly PositionInput[],
  collateral: readonly CollateralInput[],
  underlying: string,
  market: Market,
  params: RiskParamsLookup,
  model: MarginModel,
  optionEquity: OptionEquity,
): SpotCurve {
  const book = movingBook(positions, collateral, underlying, market, params, model, optionEquity);
  if (model === "PORTFOLIO") return portfolioCurve(book, gridMoves(underlying, params));
  // STANDARD MM is proportional to P: |q|·cs·mark·mmr with a linear mark = forwardFactor·P,
  // and |q|·cs·P·0.075 for short options (long options: 0).
  return standardCurve(book, book.standardMaintenance / quoteFor(market, underlying).spot);
}

/** STANDARD: fixed + (Σ linear + collateral value − MM per USD)·P + Σ option q·cs·mark(P). Continuous. */
function standardCurve(book: MovingBook, maintenancePerSpot: number): SpotCurve {
  const { fixedEquity, legs } = book;
  const linearSlope = book.linearUnits + book.collateralValueUnits - maintenancePerSpot;
  const option: BsSpotValue = { price: 0, delta: 0, spotGamma: 0 };
  const at = (price: number): CurveSample => {
    let value = fixedEquity + linearSlope * price;
    let slope = linearSlope;
    for (const { units, base } of legs) {
      bsAtSpot(option, base, price, Math.log(price / base.strike), false);
      value += units * option.price;
      slope += units * option.delta;
    }
    return { x: price, value, slope };
  };
  return { at, breaks: [] };
}

/**
 * PORTFOLIO (DESIGN §4) restricted to one underlying:
 *   f_u(P) = fixed + (Σ linear + collateral value)·P + Σ q·cs·mark(P) − MM_u(P),
 *   MM_u(P) = −min(0, min_s pnl_s(P)) + 0.01·|Δ(P)|·P + 0.002·shortOptionUnits·P,
 *   pnl_s(P) = (linear + collateral units)·(P(1 + m_i) − P) + Σ q·cs·(mark_ij(P(1 + m_i)) − mark(P)),
 * the same grid and arithmetic as the scenario table built at spot P, but only for this
 * underlying's options. The slope follows the worst scenario (one-sided where the worst
 * scenario or the sign of Δ switches).
 */
function portfolioCurve(book: MovingBook, moves: Float64Array): SpotCurve {
  const { fixedEquity, legs, shortOptionUnits } = book;
  const gridUnits = book.linearUnits + book.collateralUnits; // move 1:1 (× forwardFactor) with spot on the grid
  const equityUnits = book.linearUnits + book.collateralValueUnits;
  const logGrowth = moves.map((m) => Math.log(1 + m)); // ln(1 + m_i): scenario ln(x/K) = ln(P/K) + ln(1 + m_i)
  const pnl = new Float64Array(SCENARIO_COUNT); // USD per scenario, reused from call to call
  const pnlSlope = new Float64Array(SCENARIO_COUNT); // d pnl / dP
  const option: BsSpotValue = { price: 0, delta: 0, spotGamma: 0 };
  const at = (price: number): CurveSample => {
    for (let i = 0; i < SPOT_STEPS; i++) {
      const change = price * (1 + moves[i]) - price; // as the scenario table moves collateral and perps
      for (let j = 0; j < VOL_SCENARIOS; j++) {
        pnl[i * VOL_SCENARIOS + j] = gridUnits * change;
        pnlSlope[i * VOL_SCENARIOS + j] = gridUnits * moves[i];
      }
    }
    let optionValue = 0; // USD: Σ q·cs·mark
    let optionDelta = 0; // underlying units: Σ q·cs·delta
    let optionSpotGamma = 0; // Σ q·cs·P·Γ = P·dΔ/dP
    for (const { units, base, grid } of legs) {
      const logMoneyness = Math.log(price / base.strike);
      bsAtSpot(option, base, price, logMoneyness, true);
      const mark = option.price;
      const delta = option.delta;
      optionValue += units * mark;
      optionDelta += units * delta;
      optionSpotGamma += units * option.spotGamma;
      for (let i = 0; i < SPOT_STEPS; i++) {
        const growth = 1 + moves[i];
        const spot = price * growth;
        const scenarioLogMoneyness = logMoneyness + logGrowth[i];
        for (let j = 0; j < VOL_SCENARIOS; j++) {
          bsAtSpot(option, grid[j], spot, scenarioLogMoneyness, false);
          const s = i * VOL_SCENARIOS + j;
          pnl[s] += units * (option.price - mark);
          pnlSlope[s] += units * (growth * option.delta - delta);
        }
      }
    }
    let worst = 0; // the unmoved scenario is on the grid with P&L 0
    let worstSlope = 0;
    for (let s = 0; s < SCENARIO_COUNT; s++) {
      if (pnl[s] < worst) {
        worst = pnl[s];
        worstSlope = pnlSlope[s];
      }
    }
    const netDelta = gridUnits + optionDelta;
    const maintenance =
      -worst + NET_DELTA_CHARGE * Math.abs(netDelta) * price + SHORT_OPTION_CHARGE * shortOptionUnits * price;
    const maintenanceSlope =
      -worstSlope + NET_DELTA_CHARGE * Math.sign(netDelta) * (netDelta + optionSpotGamma) + SHORT_OPTION_CHARGE * shortOptionUnits;
    return {
      x: price,
      value: fixedEquity + equityUnits * price + optionValue - maintenance,
      slope: equityUnits + optionDelta - maintenanceSlope,
    };
  };
  // Expired options (and the σ√T → 0 limit) have a delta that steps where the (discounted) strike is.
  const breaks = legs
    .filter(({ base }) => base.expired || base.stdDev < MIN_STD_DEV)
    .map(({ base }) => (base.expired ? base.strike : base.discountedStrike));
  return { at, breaks };
}
