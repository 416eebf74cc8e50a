/** Public API of the pure risk engine: plain float64 data in, plain data out, no I/O. */
export * from "./types.js";
export { EngineInputError } from "./errors.js";

export { normCdf, normInv, normPdf } from "./normal.js";
export { blackScholes, type BlackScholesInput } from "./blackScholes.js";
export { bsPrice, bsPriceGreeksInto, type OptionGreeks } from "./blackScholesKernel.js";
export { impliedVolatility, type ImpliedVolatilityInput } from "./impliedVol.js";
export { realizedVolatility } from "./realizedVolatility.js";

export { MS_PER_YEAR, utcDate, yearsBetween } from "./time.js";
export { quoteFor, withQuotes, withSpot } from "./market.js";
export { defaultRiskParams, linearMarginRates, type MarginRates } from "./riskParams.js";
export {
  greeksAt,
  instrumentGreeks,
  instrumentMark,
  markAt,
  pricingTerms,
  timeToExpiry,
  type InstrumentGreeks,
  type LinearTerms,
  type OptionTerms,
  type PricingTerms,
} from "./instruments.js";
export { collateralPrice, collateralValue } from "./collateral.js";
export { valuePosition, valueUnit, type PositionValuation, type UnitValuation } from "./revaluation.js";
export { unitEquity } from "./equity.js";
export { exposedUnderlyings } from "./exposure.js";

export {
  crossStandardMargin,
  isolatedInitialMargin,
  isolatedPositionRisk,
  positionStandardMargin,
  type IsolatedPositionRisk,
  type MarginRequirement,
} from "./standardMargin.js";
export { SCENARIO_COUNT, SPOT_STEPS, VOL_SCENARIOS, spotMoves, volScenarios } from "./portfolioGrid.js";
export {
  createScenarioTable,
  type InstrumentScenarios,
  type ScenarioTable,
  type UnderlyingScenarios,
} from "./scenarioTable.js";
export {
  portfolioMargin,
  portfolioMarginWithTable,
  type PortfolioMarginResult,
  type UnderlyingPortfolioMargin,
} from "./portfolioMargin.js";
export { levelThreshold, marginRatio, nextLevel, plainLevel, ratioForLevel } from "./marginLevel.js";
/*
 * Margin models (DESIGN §7.2–§7.3). computeMargin(unit, market, params, model?, history?)
 * gives the level-facing result of any model (HISTORICAL_ES needs the history);
 * modelMargin / marginAttribution give initial, maintenance and the attribution through
 * the MARGIN_MODELS registry. Batch HISTORICAL_ES (many units, one market):
 *   date  = unitValuationDate(unit, market)                      (§7.1; also VaR's window end)
 *   set   = historicalEsScenarios(history, exposedUnderlyings(unit), date)
 *           (memoized per history object, date and underlying set; pure, so cacheable)
 *   table = createHistoricalEsTable(instruments, market, set)     (per market and set)
 *   historicalEsMarginWithTable(unit, table) for each unit of that set,
 *   historicalEsAttributionWithTable(unit, table) for the attribution.
 */
export { computeMargin, defaultModel, type MarginResult } from "./margin.js";
export {
  MARGIN_MODELS,
  marginAttribution,
  modelMargin,
  portfolioAttribution,
  standardAttribution,
  type MarginModelFunction,
  type ModelMargin,
} from "./marginModels.js";
export {
  EWMA_LAMBDA,
  FILTERED_SCENARIOS,
  MIN_FILTERED_SCENARIOS,
  STRESS_WINDOWS,
  buildHistoricalEsScenarios,
  historicalEsScenarios,
  type HistoricalEsScenarioSet,
} from "./esScenarios.js";
export {
  createHistoricalEsTable,
  esTailSize,
  historicalEsAttribution,
  historicalEsAttributionWithTable,
  historicalEsMargin,
  historicalEsMarginWithTable,
  historicalEsPnl,
  type EsInstrumentRow,
  type HistoricalEsMarginResult,
  type HistoricalEsSetResult,
  type HistoricalEsTable,
} from "./historicalEsMargin.js";
export {
  VEGA_RISK_WEIGHT,
  sensitivityAttribution,
  sensitivityCorrelation,
  sensitivityMargin,
  type SensitivityMarginResult,
  type UnderlyingSensitivity,
} from "./sensitivityMargin.js";
export { unitValuationDate, unitValuationTime } from "./valuationTime.js";

export { unitGreeks, type UnderlyingGreeks } from "./greeks.js";
export { liquidationPrices, type LiquidationPoint } from "./liquidation.js";
export { brentRoot, firstCrossingOutward, type CurveSample } from "./rootFinding.js";

export { returnWindow, type ReturnWindow } from "./priceReturns.js";
export { historicalPnl, tailRisk, type TailRisk } from "./historicalVar.js";
export { parametricVar, sampleCovariance } from "./parametricVar.js";
export { valueAtRisk, type VarRequest, type VarResult } from "./var.js";

export { applyShocks, type ShockedBook } from "./shocks.js";
export { stressTest, type StressResult } from "./stress.js";
export {
  HISTORICAL_SCENARIOS,
  historicalScenario,
  namedScenarioShocks,
  shocksBetween,
  type HistoricalScenario,
} from "./historicalScenarios.js";

export { DELIVERY_WINDOW_MS, deliveryPrice, type SpotTick } from "./deliveryPrice.js";
