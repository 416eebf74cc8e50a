import { Arg, Float, Query, Resolver } from "type-graphql";
import { impliedVol, quoteOption } from "../../domain/calculator.js";
import { ImpliedVolatilityInput, OptionQuote, OptionQuoteInput } from "./calculator.types.js";

/** The pure option calculator: no database. */
@Resolver()
export class CalculatorResolver {
  @Query(() => OptionQuote, { description: "Black–Scholes price and Greeks of a European option." })
  optionQuote(@Arg("input", () => OptionQuoteInput) input: OptionQuoteInput): OptionQuote {
    return quoteOption(input);
  }

  @Query(() => Float, { nullable: true, description: "Annual implied volatility; null outside the no-arbitrage bounds." })
  impliedVolatility(@Arg("input", () => ImpliedVolatilityInput) input: ImpliedVolatilityInput): number | null {
    return impliedVol(input);
  }
}
