import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError, type ConsumerMessages, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";

/** Names fixed by the contract (DESIGN §7.7). */
export const STREAM = "MARKET";
export const SUBJECTS = "market.>";
export const CONSUMER = "risk-api";

/** Consumer info (pending counts) is read this often while connected, in ms. */
const INFO_INTERVAL_MS = 1000;

export interface NatsFeedOptions {
  servers: string[];
  /** Most messages handled (stored in one transaction) at once; also how many are pulled ahead. */
  batchSize: number;
  /** ack_wait of a consumer this feed creates: an unacknowledged message is redelivered after it, in ms. */
  ackWaitMs: number;
  /** Between connection attempts, set-up attempts, and before a failed batch is redelivered, in ms. */
  retryMs: number;
}

/** One message of a batch, as the handler sees it. */
export interface FeedMessage {
  subject: string;
  data: Uint8Array;
  /** Stream sequence in MARKET: identifies the message across redeliveries. */
  sequence: number;
}

export interface FeedStatus {
  status: "up" | "down";
  /** Seconds from the NATS timestamp of the oldest tick of the last batch to its acknowledgement; null before the first. */
  lagSeconds: number | null;
  /** From consumer info: messages not yet delivered, and delivered but not yet acknowledged; null until read. */
  pending: number | null;
  ackPending: number | null;
}

/** Handles a batch; resolves once its effects have committed (the batch is then acknowledged), rejects to have it redelivered. */
export type BatchHandler = (messages: FeedMessage[]) => Promise<void>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isNotFound = (error: unknown) =>
  error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound);

/**
 * The NATS JetStream transport: connects (retrying until it can; the client then
 * reconnects by itself), creates the stream and the durable pull consumer when missing
 * (uses them unchanged when present), consumes, hands messages to the handler in batches
 * of what has arrived (up to batchSize), and acknowledges a batch only after the handler
 * resolved. Several instances share the consumer: each message goes to one of them.
 */
export class NatsFeed {
  private nc: NatsConnection | null = null;
  private messages: ConsumerMessages | null = null;
  private readonly queue: JsMsg[] = [];
  private wake: (() => void) | null = null;
  private closing = false;
  private consuming = false;
  private connected = false;
  private lagSeconds: number | null = null;
  private pending: number | null = null;
  private ackPending: number | null = null;
  /** Set-up failures in a row: the first of a streak is a warning, the rest debug (NATS down for long). */
  private failures = 0;
  private running: Promise<void> | null = null;
  private working: Promise<void> | null = null;

  constructor(
    private readonly options: NatsFeedOptions,
    private readonly handle: BatchHandler,
    private readonly logger: Logger,
  ) {}

  /** Starts in the background; never throws (a feed that is down is reported by status()). */
  start(): void {
    this.running = this.run();
    this.working = this.work();
  }

  status(): FeedStatus {
    return {
      status: this.connected && this.consuming ? "up" : "down",
      lagSeconds: this.lagSeconds,
      pending: this.pending,
      ackPending: this.ackPending,
    };
  }

  /** Stops pulling, lets the batch in hand finish and be acknowledged, then closes the connection. */
  async close(): Promise<void> {
    this.closing = true;
    this.messages?.stop();
    this.wake?.();
    await this.working;
    await this.nc?.drain().catch(() => this.nc?.close());
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      try {
        const nc = this.nc ?? (await this.connect());
        const jsm = await jetstreamManager(nc);
        await this.ensureStream(jsm);
        await this.ensureConsumer(jsm);
        this.failures = 0;
        await this.consume(nc, jsm);
      } catch (error) {
        if (this.closing) break;
        const level = this.failures++ === 0 ? "warn" : "debug";
        this.logger[level]({ err: error, retryMs: this.options.retryMs, attempts: this.failures }, "market feed: NATS set-up failed, retrying");
      }
      this.consuming = false;
      if (!this.closing) await sleep(this.options.retryMs);
    }
  }

  private async connect(): Promise<NatsConnection> {
    const nc = await connect({
      servers: this.options.servers,
      name: "risk-api",
      // After the first connection the client reconnects by itself, for ever.
      maxReconnectAttempts: -1,
      reconnectTimeWait: this.options.retryMs,
    });
    if (this.closing) {
      await nc.close();
      throw new Error("market feed closed while connecting");
    }
    this.nc = nc;
    this.connected = true;
    void nc.closed().then(() => {
      if (this.nc === nc) this.nc = null;
      this.connected = false;
    });
    this.logger.info({ servers: this.options.servers }, "market feed: connected to NATS");
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect") {
          this.connected = false;
          this.logger.warn("market feed: disconnected from NATS");
        } else if (s.type === "reconnect") {
          this.connected = true;
          this.logger.info("market feed: reconnected to NATS");
        }
      }
    })().catch((error: unknown) => this.logger.warn({ err: error }, "market feed: NATS status stream failed"));
    return nc;
  }

  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    try {
      await jsm.streams.info(STREAM);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.streams.add({ name: STREAM, subjects: [SUBJECTS] }).catch(async (addError: unknown) => {
        // Another instance created it meanwhile: fine when it is there now.
        if (!(await jsm.streams.info(STREAM).then(() => true, () => false))) throw addError;
      });
      this.logger.info({ stream: STREAM, subjects: SUBJECTS }, "market feed: stream created");
    }
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    try {
      await jsm.consumers.info(STREAM, CONSUMER);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(STREAM, {
        durable_name: CONSUMER,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: this.options.ackWaitMs * 1_000_000,
        // Delivered and unacknowledged at once, over all instances: bounds what waits in their queues.
        max_ack_pending: this.options.batchSize * 10,
      });
      this.logger.info({ stream: STREAM, consumer: CONSUMER }, "market feed: durable consumer created");
    }
  }

  /** Consumes until the consumer or the stream disappears (then set-up runs again) or the feed closes. */
  private async consume(nc: NatsConnection, jsm: JetStreamManager): Promise<void> {
    const consumer = await jetstream(nc).consumers.get(STREAM, CONSUMER);
    const messages = await consumer.consume({
      max_messages: this.options.batchSize,
      callback: (m) => {
        this.queue.push(m);
        this.wake?.();
      },
    });
    this.messages = messages;
    this.consuming = true;
    if (this.closing) messages.stop();
    const poll = setInterval(() => {
      jsm.consumers.info(STREAM, CONSUMER).then(
        (info) => {
          this.pending = info.num_pending;
          this.ackPending = info.num_ack_pending;
        },
        () => undefined,
      );
    }, INFO_INTERVAL_MS);
    void (async () => {
      for await (const notice of messages.status()) {
        if (notice.type === "consumer_not_found" || notice.type === "stream_not_found" || notice.type === "consumer_deleted") {
          this.logger.warn({ notice }, "market feed: consumer gone, setting it up again");
          messages.stop();
        }
      }
    })().catch((error: unknown) => this.logger.warn({ err: error }, "market feed: consumer status stream failed"));
    try {
      const error = await messages.closed();
      if (error) this.logger.warn({ err: error }, "market feed: consumer stopped");
    } finally {
      clearInterval(poll);
      this.messages = null;
    }
  }

  /**
   * Takes what has arrived, up to batchSize, hands it over and acknowledges it; one batch
   * at a time. On close, the batch in hand finishes; what waits behind it is handed back
   * (nak) for another instance, or this one's next start.
   */
  private async work(): Promise<void> {
    while (!this.closing) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const batch = this.queue.splice(0, this.options.batchSize);
      try {
        await this.handle(batch.map((m) => ({ subject: m.subject, data: m.data, sequence: m.seq })));
        this.settle(batch, (m) => m.ack());
        // NATS timestamps (ns since the epoch) of when the stream stored them.
        this.lagSeconds = (Date.now() - Math.min(...batch.map((m) => m.info.timestampNanos / 1e6))) / 1000;
      } catch (error) {
        this.logger.error({ err: error, messages: batch.length, retryMs: this.options.retryMs }, "market feed: batch failed; it will be redelivered");
        this.settle(batch, (m) => m.nak(this.options.retryMs));
      }
    }
    this.settle(this.queue.splice(0), (m) => m.nak());
  }

  /** Acks and naks are fire-and-forget; one that cannot be sent (connection closed) is redelivered after the ack wait, and a redelivery has no effect. */
  private settle(messages: JsMsg[], reply: (m: JsMsg) => void): void {
    try {
      for (const m of messages) reply(m);
    } catch (error) {
      this.logger.warn({ err: error }, "market feed: acknowledgement not sent; the stream redelivers after the ack wait");
    }
  }
}
