import { EngineInputError } from "./errors.js";
import { getOrCreate } from "./getOrCreate.js";
import { historicalEsAttribution, historicalEsMargin } from "./historicalEsMargin.js";
import { SCENARIO_COUNT, VOL_SCENARIOS } from "./portfolioGrid.js";
import {
  NET_DELTA_CHARGE,
  SHORT_OPTION_CHARGE,
  portfolioMargin,
  portfolioMarginWithTable,
  unitScenarioTable,
} from "./portfolioMargin.js";
import { valueUnit } from "./revaluation.js";
import { gridMoves } from "./scenarioTable.js";
import { sensitivityAttribution, sensitivityMargin } from "./sensitivityMargin.js";
import { crossStandardMargin, positionStandardMargin } from "./standardMargin.js";
import type {
  MarginAttribution,
  MarginComponent,
  MarginModel,
  MarginScenario,
  MarginUnitInput,
  Market,
  PriceHistory,
  RiskParamsLookup,
  VolBranch,
} from "./types.js";

/**
 * The margin model registry (DESIGN §7.2): one pure function per model,
 * (unit, market, history, parameters) → { initial, maintenance, attribution }, keyed on
 * MarginModel. History is needed by HISTORICAL_ES only (an input error without it, unless
 * the unit is exposed to nothing). The unit's own model (defaultModel) still drives
 * levels; computeMargin gives the level-facing result (equity, ratio, level) of any model.
 */

export interface ModelMargin {
  /** USD. */
  initial: number;
  /** USD. */
  maintenance: number;
  attribution: MarginAttribution;
}

export type MarginModelFunction = (
  unit: MarginUnitInput,
  market: Market,
  history: PriceHistory | undefined,
  params: RiskParamsLookup,
) => ModelMargin;

function component(
  kind: MarginComponent["kind"],
  underlying: string,
  amount: number,
  names: { instrument?: string; asset?: string } = {},
): MarginComponent {
  return { kind, underlying, instrument: names.instrument ?? null, asset: names.asset ?? null, amount };
}

/** STANDARD (CROSS and ISOLATED alike): one POSITION component per position, its own MM. */
export function standardAttribution(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): MarginAttribution {
  const components = valueUnit(unit, market).positions.map((valuation) => {
    const { instrument } = valuation.position;
    return component("POSITION", instrument.underlying, positionStandardMargin(valuation, params).maintenance, {
      instrument: instrument.symbol,
    });
  });
  return { components, scenarios: [] };
}

const GRID_BRANCHES: readonly VolBranch[] = ["UP", "BASE", "DOWN"]; // volScenarios order

/**
 * PORTFOLIO, per underlying u (sorted): when u's worst grid P&L is negative, one POSITION
 * per position on u and one COLLATERAL per holding of u, each −(its P&L at u's worst grid
 * point), and that grid point as a GRID scenario; then DELTA_ADDON (0.01·|Δ_u|·S_u) and
 * SHORT_OPTION_ADDON (0.002·Σ|short q·cs|·S_u), always. The worst point is the first
 * grid index (spot-major, then UP, BASE, DOWN) reaching the lowest P&L, as the margin's.
 */
export function portfolioAttribution(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): MarginAttribution {
  const table = unitScenarioTable(unit, market, params);
  const margin = portfolioMarginWithTable(unit, table);
  const pnl = new Map<string, Float64Array>();
  const pnlOf = (name: string) => getOrCreate(pnl, name, () => new Float64Array(SCENARIO_COUNT));
  for (const { instrument, quantity } of unit.positions) {
    const { markChange } = table.instruments.get(instrument.symbol)!;
    const row = pnlOf(instrument.underlying);
    const units = quantity * instrument.contractSize;
    for (let s = 0; s < SCENARIO_COUNT; s++) row[s] += units * markChange[s];
  }
  for (const { underlying, amount } of unit.collateral) {
    if (underlying === null) continue;
    const { spotChange } = table.underlyings.get(underlying)!;
    const row = pnlOf(underlying);
    for (let s = 0; s < SCENARIO_COUNT; s++) row[s] += amount * spotChange[s];
  }
  const components: MarginComponent[] = [];
  const scenarios: MarginScenario[] = [];
  for (const { underlying, spot, netDelta, shortOptionUnits } of margin.byUnderlying) {
    const row = pnlOf(underlying);
    let worst = 0;
    let at = -1;
    for (let s = 0; s < SCENARIO_COUNT; s++) {
      if (row[s] < worst) {
        worst = row[s];
        at = s;
      }
    }
    if (at >= 0) {
      for (const { instrument, quantity } of unit.positions) {
        if (instrument.underlying !== underlying) continue;
        const change = table.instruments.get(instrument.symbol)!.markChange[at];
        components.push(
          component("POSITION", underlying, 0 - quantity * instrument.contractSize * change, { instrument: instrument.symbol }),
        );
      }
      const { spotChange } = table.underlyings.get(underlying)!;
      for (const { asset, underlying: name, amount } of unit.collateral) {
        if (name === underlying) components.push(component("COLLATERAL", underlying, 0 - amount * spotChange[at], { asset }));
      }
      scenarios.push({
        set: "GRID",
        underlying,
        date: null,
        spotMoves: [{ underlying, spotMove: gridMoves(underlying, params)[Math.floor(at / VOL_SCENARIOS)] }],
        volBranch: GRID_BRANCHES[at % VOL_SCENARIOS],
        pnl: worst,
      });
    }
    components.push(component("DELTA_ADDON", underlying, NET_DELTA_CHARGE * Math.abs(netDelta) * spot));
    components.push(component("SHORT_OPTION_ADDON", underlying, SHORT_OPTION_CHARGE * shortOptionUnits * spot));
  }
  return { components, scenarios };
}

export const MARGIN_MODELS: Readonly<Record<MarginModel, MarginModelFunction>> = {
  STANDARD: (unit, market, _history, params) => ({
    ...crossStandardMargin(valueUnit(unit, market), params),
    attribution: standardAttribution(unit, market, params),
  }),
  PORTFOLIO: (unit, market, _history, params) => {
    const { initial, maintenance } = portfolioMargin(unit, market, params);
    return { initial, maintenance, attribution: portfolioAttribution(unit, market, params) };
  },
  HISTORICAL_ES: (unit, market, history) => {
    const { initial, maintenance } = historicalEsMargin(unit, market, history);
    return { initial, maintenance, attribution: historicalEsAttribution(unit, market, history) };
  },
  SENSITIVITY: (unit, market, _history, params) => {
    const { initial, maintenance } = sensitivityMargin(unit, market, params);
    return { initial, maintenance, attribution: sensitivityAttribution(unit, market, params) };
  },
};

function modelFunction(model: MarginModel): MarginModelFunction {
  const fn = MARGIN_MODELS[model];
  if (!fn) throw new EngineInputError(`margin model "${model}" is unknown (known: ${Object.keys(MARGIN_MODELS).join(", ")})`);
  return fn;
}

/** initial, maintenance and attribution of `unit` under `model` (registry lookup). */
export function modelMargin(
  unit: MarginUnitInput,
  market: Market,
  params: RiskParamsLookup,
  model: MarginModel,
  history?: PriceHistory,
): ModelMargin {
  return modelFunction(model)(unit, market, history, params);
}

/** The attribution alone (same numbers as modelMargin; the level-facing hot path never computes it). */
export function marginAttribution(...args: Parameters<typeof modelMargin>): MarginAttribution {
  return modelMargin(...args).attribution;
}
