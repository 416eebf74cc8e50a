import { ObjectType } from "type-graphql";
import type { RiskUnit } from "../../domain/risk.service.js";
import { riskFieldsResolver } from "./riskFields.resolver.js";

@ObjectType("RiskSnapshot", { description: "Risk of a hypothetical book (whatIf); nothing is written." })
export class RiskSnapshotType {
  unit!: RiskUnit;
}

export const RiskSnapshotResolver = riskFieldsResolver<RiskSnapshotType>(RiskSnapshotType, (_ctx, snapshot) => snapshot.unit);
