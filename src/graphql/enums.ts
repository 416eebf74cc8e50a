import { registerEnumType } from "type-graphql";
import {
  AccountStatus,
  InstrumentKind,
  MarginLevel,
  MarginMode,
  OptionType,
  Role,
} from "../generated/prisma/enums.js";

export const MarginModel = { STANDARD: "STANDARD", PORTFOLIO: "PORTFOLIO", HISTORICAL_ES: "HISTORICAL_ES", SENSITIVITY: "SENSITIVITY" } as const;
export type MarginModel = (typeof MarginModel)[keyof typeof MarginModel];

export const VarMethod = { HISTORICAL: "HISTORICAL", PARAMETRIC: "PARAMETRIC" } as const;
export type VarMethod = (typeof VarMethod)[keyof typeof VarMethod];

export const AccountOrder = { MARGIN_RATIO_DESC: "MARGIN_RATIO_DESC" } as const;
export type AccountOrder = (typeof AccountOrder)[keyof typeof AccountOrder];

registerEnumType(OptionType, { name: "OptionType" });
registerEnumType(InstrumentKind, { name: "InstrumentKind" });
registerEnumType(MarginMode, { name: "MarginMode" });
registerEnumType(AccountStatus, { name: "AccountStatus" });
registerEnumType(MarginLevel, { name: "MarginLevel" });
registerEnumType(Role, { name: "Role" });
registerEnumType(MarginModel, { name: "MarginModel" });
registerEnumType(VarMethod, { name: "VarMethod" });
registerEnumType(AccountOrder, {
  name: "AccountOrder",
  valuesConfig: { MARGIN_RATIO_DESC: { description: "Riskiest first: margin ratio descending, under-water (null ratio) first." } },
});

export { AccountStatus, InstrumentKind, MarginLevel, MarginMode, OptionType, Role };
