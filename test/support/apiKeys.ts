import type { TestServer } from "./testServer.js";

export const CREATE_API_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { id secret role clientId prefix expiresAt } }`;

/** Issues a key through the API (as the environment's ADMIN) and returns its id and secret. */
export async function createApiKey(
  api: TestServer,
  role: "ADMIN" | "RISK" | "CLIENT",
  clientId: string | null = null,
  expiresAt: string | null = null,
): Promise<{ id: string; secret: string }> {
  const { createApiKey: key } = await api.ok(CREATE_API_KEY, { input: { role, clientId, expiresAt } });
  return { id: key.id, secret: key.secret };
}
