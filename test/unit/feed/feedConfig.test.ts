import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.js";

describe("market feed configuration", () => {
  it("is off without NATS_URL, with defaults for the rest", () => {
    expect(loadConfig({})).toMatchObject({ natsUrls: null, feedBatchSize: 2000, feedAckWaitMs: 30_000, feedRetryMs: 1000 });
  });

  it("takes one or several nats:// or tls:// servers", () => {
    expect(loadConfig({ NATS_URL: "nats://127.0.0.1:4222" }).natsUrls).toEqual(["nats://127.0.0.1:4222"]);
    expect(loadConfig({ NATS_URL: "nats://a:4222, tls://b:4443" }).natsUrls).toEqual(["nats://a:4222", "tls://b:4443"]);
  });

  it.each([
    [{ NATS_URL: "http://127.0.0.1:4222" }, /NATS_URL/],
    [{ NATS_URL: "127.0.0.1:4222" }, /NATS_URL/],
    [{ FEED_BATCH_SIZE: "0" }, /FEED_BATCH_SIZE \(0\) must be an integer in \[1, 5000\]/],
    [{ FEED_BATCH_SIZE: "5001" }, /FEED_BATCH_SIZE/],
    [{ FEED_ACK_WAIT_MS: "500" }, /FEED_ACK_WAIT_MS/],
    [{ FEED_RETRY_MS: "soon" }, /FEED_RETRY_MS/],
  ])("refuses %o", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
