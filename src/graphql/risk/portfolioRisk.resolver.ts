import type { Portfolio } from "../../generated/prisma/client.js";
import { PortfolioType } from "../book/portfolio.type.js";
import { riskFieldsResolver } from "./riskFields.resolver.js";

/** A portfolio's pooled risk: its members' balances and netted positions as one margin unit. */
export const PortfolioRiskResolver = riskFieldsResolver<Portfolio>(PortfolioType, (ctx, portfolio) => ctx.risk.portfolioUnit(portfolio));
