import type { Logger } from "pino";
import type { FeedTick, MarketService } from "../domain/market.service.js";
import type { Metrics } from "../metrics.js";
import type { BatchHandler } from "./natsFeed.js";
import { parseTick } from "./tickMessage.js";

/**
 * Between the transport and the domain: parses each message of a batch, applies the
 * well-formed ones as one batch of the market service (one transaction, one evaluation),
 * and counts and logs every outcome. Malformed and rejected ticks have no effect; they
 * are acknowledged with the batch, so they are not redelivered.
 */
export function marketFeedHandler(market: MarketService, metrics: Metrics, logger: Logger): BatchHandler {
  return async (messages) => {
    const ticks: FeedTick[] = [];
    for (const message of messages) {
      const parsed = parseTick(message.subject, message.data);
      if (parsed.ok) {
        ticks.push({ sequence: message.sequence, update: parsed.update });
        continue;
      }
      metrics.countFeedTicks("malformed", 1);
      logger.warn({ sequence: message.sequence, subject: message.subject, reason: parsed.reason }, "market feed: malformed tick, not applied");
    }
    if (ticks.length === 0) return metrics.countFeedBatch("ok");
    try {
      const outcome = await market.applyFeedTicks(ticks);
      metrics.countFeedTicks("applied", outcome.applied.length);
      metrics.countFeedTicks("superseded", outcome.superseded.length);
      metrics.countFeedTicks("duplicate", outcome.duplicates.length);
      metrics.countFeedTicks("rejected", outcome.rejected.length);
      metrics.countFeedBatch("ok");
      for (const { sequence, reason } of outcome.rejected) logger.warn({ sequence, reason }, "market feed: tick rejected, not applied");
      // Committed: acknowledged all the same (a redelivery would be a duplicate and redo nothing).
      if (outcome.afterCommitError !== undefined) logger.error({ err: outcome.afterCommitError }, "market feed: ticks committed, but what follows them failed; the next change catches up");
      logger.debug({ ticks: ticks.length, applied: outcome.applied.length, superseded: outcome.superseded.length, duplicates: outcome.duplicates.length }, "market feed: batch applied");
    } catch (error) {
      metrics.countFeedBatch("failed");
      throw error;
    }
  };
}
