import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { CreateApiKeyInput } from "./apiKey.inputs.js";
import { ApiKeySecretType, ApiKeyType } from "./apiKey.type.js";

@Resolver()
export class ApiKeyResolver {
  @Authorized("ADMIN")
  @Query(() => [ApiKeyType], { description: "Stored keys, newest first (never their secrets or hashes)." })
  apiKeys(@Ctx() ctx: Context, @Arg("clientId", () => ID, { nullable: true }) clientId?: string | null): Promise<ApiKeyType[]> {
    return ctx.services.apiKeys.list({ clientId });
  }

  @Authorized("ADMIN")
  @Mutation(() => ApiKeySecretType, { description: "The secret is in this response only." })
  createApiKey(@Arg("input", () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: Context): Promise<ApiKeySecretType> {
    return ctx.services.apiKeys.create(input);
  }

  @Authorized("ADMIN")
  @Mutation(() => ApiKeyType, { nullable: true, description: "Refused from then on (within API_KEY_CACHE_TTL_MS on other instances); idempotent." })
  revokeApiKey(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<ApiKeyType> {
    return ctx.services.apiKeys.revoke(id);
  }
}
