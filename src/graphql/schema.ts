import { createPubSub } from "@graphql-yoga/subscription";
import { DateTimeResolver } from "graphql-scalars";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { ApiKeyResolver } from "./apiKey/apiKey.resolver.js";
import { AuditResolver } from "./audit/audit.resolver.js";
import { auditMutations } from "./audit/auditMutations.js";
import { authChecker } from "./auth.js";
import { canonicalIds } from "./ids.js";
import { rejectUnstorableText } from "./textInput.js";
import { AccountResolver } from "./book/account.resolver.js";
import { CalculatorResolver } from "./calculator/calculator.resolver.js";
import { ClientResolver } from "./book/client.resolver.js";
import { PortfolioResolver } from "./book/portfolio.resolver.js";
import { PositionResolver } from "./book/position.resolver.js";
import { InstrumentResolver } from "./instrument/instrument.resolver.js";
import { LedgerResolver } from "./ledger/ledger.resolver.js";
import { MarginCallResolver } from "./marginCall/marginCall.resolver.js";
import { MarketResolver } from "./market/market.resolver.js";
import { AccountRiskFieldsResolver, AccountRiskResolver } from "./risk/accountRisk.resolver.js";
import { RatioCurveResolver } from "./risk/ratioCurve.resolver.js";
import { MarginAttributionResolver } from "./risk/attribution.resolver.js";
import { PortfolioRiskResolver } from "./risk/portfolioRisk.resolver.js";
import { RiskQueryResolver } from "./risk/riskQuery.resolver.js";
import { RiskSnapshotResolver } from "./risk/riskSnapshot.resolver.js";
import { RiskParametersResolver } from "./riskParameters/riskParameters.resolver.js";
import { SettlementResolver } from "./settlement/settlement.resolver.js";

export const resolvers = [
  CalculatorResolver,
  ClientResolver,
  AccountResolver,
  PortfolioResolver,
  PositionResolver,
  InstrumentResolver,
  MarketResolver,
  LedgerResolver,
  AccountRiskFieldsResolver,
  AccountRiskResolver,
  RatioCurveResolver,
  MarginAttributionResolver,
  PortfolioRiskResolver,
  RiskQueryResolver,
  RiskSnapshotResolver,
  MarginCallResolver,
  ApiKeyResolver,
  AuditResolver,
  SettlementResolver,
  RiskParametersResolver,
] as const;

let schema: Promise<GraphQLSchema> | undefined;

/** The executable schema; built once per process (type-graphql metadata is global). */
export function getSchema(): Promise<GraphQLSchema> {
  schema ??= buildSchema({
    resolvers,
    authChecker,
    validate: true,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // type-graphql insists on a PubSub before it builds Subscription fields; ours resolve
    // through their own `subscribe` (the monitor's event bus), so this one stays idle.
    pubSub: createPubSub(),
  })
    .then(canonicalIds)
    .then(rejectUnstorableText)
    .then(auditMutations);
  return schema;
}
