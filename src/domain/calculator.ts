import { blackScholes } from "../engine/blackScholes.js";
import type { OptionGreeks } from "../engine/blackScholesKernel.js";
import { impliedVolatility } from "../engine/impliedVol.js";
import type { OptionType } from "../engine/types.js";
import { BadInputError } from "./errors.js";
import { requireFinite, requireRange } from "./validate.js";

/**
 * The option calculator behind `optionQuote` and `impliedVolatility`. Inputs are held
 * to ranges where float64 Black–Scholes is meaningful, so every answer is finite.
 */

interface OptionTerms {
  optionType: OptionType;
  /** USD. */
  spot: number;
  /** USD. */
  strike: number;
  /** Years. */
  timeToExpiry: number;
  /** Continuously compounded per year. */
  rate?: number | null;
  dividendYield?: number | null;
}

function positive(name: string, value: number, max: number): void {
  requireFinite(name, value);
  if (!(value > 0)) throw new BadInputError(`${name} (${value}) must be positive`);
  if (value > max) throw new BadInputError(`${name} (${value}) must be at most ${max}`);
}

function checkTerms(input: OptionTerms): Required<{ [K in keyof OptionTerms]: NonNullable<OptionTerms[K]> }> {
  positive("spot", input.spot, 1e12);
  positive("strike", input.strike, 1e12);
  if (input.strike / input.spot > 1e8 || input.spot / input.strike > 1e8) {
    throw new BadInputError(`strike/spot (${input.strike / input.spot}) must be within [1e-8, 1e8]`);
  }
  requireRange("timeToExpiry", input.timeToExpiry, 0, 100);
  const rate = requireRange("rate", input.rate ?? 0, -1, 1);
  const dividendYield = requireRange("dividendYield", input.dividendYield ?? 0, -1, 1);
  return { ...input, rate, dividendYield };
}

function finite(result: OptionGreeks): OptionGreeks {
  for (const [name, value] of Object.entries(result)) {
    if (!Number.isFinite(value)) throw new BadInputError(`the inputs give a non-finite ${name}; they are outside the calculator's range`);
  }
  return result;
}

/** Black–Scholes price and Greeks: vega per 0.01 vol, theta per calendar day, rho per 0.01 rate. */
export function quoteOption(input: OptionTerms & { volatility: number }): OptionGreeks {
  const terms = checkTerms(input);
  positive("volatility", input.volatility, 100);
  return finite(blackScholes({ ...terms, volatility: input.volatility }));
}

/** Annual implied volatility, or null when the price is outside the no-arbitrage bounds. */
export function impliedVol(input: OptionTerms & { price: number }): number | null {
  const terms = checkTerms(input);
  requireFinite("price", input.price);
  if (input.price < 0) throw new BadInputError(`price (${input.price}) must not be negative`);
  return impliedVolatility({ ...terms, price: input.price });
}
