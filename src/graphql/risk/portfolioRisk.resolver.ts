import { PortfolioType } from "../book/portfolio.type.js";
import { riskFieldsResolver } from "./riskFields.resolver.js";

/** A portfolio's pooled risk: its members' balances and netted positions as one margin unit. */
export const PortfolioRiskResolver = riskFieldsResolver<{ id: string }>(PortfolioType, (ctx, portfolio) => ctx.units.portfolio(portfolio.id));
