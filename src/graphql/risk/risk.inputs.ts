import { Field, Float, InputType } from "type-graphql";
import type { Prisma } from "../../generated/prisma/client.js";
import { DecimalScalar } from "../scalars.js";

@InputType()
export class TradeInput {
  @Field(() => String, { description: "Instrument symbol." })
  instrument!: string;

  @Field(() => DecimalScalar, { description: "Signed contracts." })
  quantity!: Prisma.Decimal;

  @Field(() => DecimalScalar, { nullable: true, description: "USD per underlying unit; the mark when omitted." })
  price?: Prisma.Decimal | null;
}

@InputType()
export class ShockInput {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "Relative: S → S·(1 + spotMove); must be > −1." })
  spotMove!: number;

  @Field(() => Float, { nullable: true, defaultValue: 0, description: "Relative: σ → σ·(1 + volMove)." })
  volMove?: number;
}

@InputType()
export class StressScenarioInput {
  @Field(() => String, { nullable: true, description: "A named scenario (see stressScenarios)." })
  name?: string | null;

  @Field(() => [ShockInput], { nullable: true, description: "Custom shocks; with a name, they apply on top of it." })
  shocks?: ShockInput[] | null;
}
