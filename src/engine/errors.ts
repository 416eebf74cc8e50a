/**
 * Invalid input to the risk engine (a negative volatility, a missing strike, an unknown
 * scenario…). The message names the offending value; the GraphQL layer maps this class
 * to BAD_USER_INPUT.
 */
export class EngineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineInputError";
  }
}
