import { EventEmitter } from "node:events";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { Topic, type TopicPayloads } from "./events.js";

export type Handler<T extends Topic> = (payload: TopicPayloads[T]) => void;

/** Publish/subscribe of committed events: in-process, or across instances through Redis. */
export interface EventBus {
  publish<T extends Topic>(topic: T, payload: TopicPayloads[T]): Promise<void>;
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void;
  close(): Promise<void>;
}

export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish<T extends Topic>(topic: T, payload: TopicPayloads[T]): Promise<void> {
    this.emitter.emit(topic, payload);
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    this.emitter.on(topic, handler);
    return () => this.emitter.off(topic, handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Dates travel as ISO strings; revive the known date fields. */
function revive(_key: string, value: unknown): unknown {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) ? new Date(value) : value;
}

/**
 * Redis fan-out: every instance publishes what it commits and delivers what any
 * instance published to its own local subscribers (one Redis subscription per topic).
 */
export class RedisEventBus implements EventBus {
  private readonly local = new InProcessEventBus();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly ready: Promise<unknown>;

  /** `namespace` prefixes every channel: Redis pub/sub ignores the db index, so deployments share channels otherwise. */
  constructor(url: string, private readonly namespace: string, logger: Logger) {
    // Auto-pipelining sends the publishes of one tick in one round trip, in call order.
    const options = { maxRetriesPerRequest: 3, enableOfflineQueue: true, lazyConnect: false, enableAutoPipelining: true };
    this.publisher = new Redis(url, options);
    this.subscriber = new Redis(url, options);
    for (const client of [this.publisher, this.subscriber]) client.on("error", (error) => logger.warn({ err: error }, "redis error"));
    const prefix = `${namespace}:`;
    this.subscriber.on("message", (channel: string, message: string) => {
      if (!channel.startsWith(prefix)) return;
      try {
        void this.local.publish(channel.slice(prefix.length) as Topic, JSON.parse(message, revive));
      } catch (error) {
        logger.error({ err: error, channel }, "undecodable event from redis");
      }
    });
    this.ready = this.subscriber.subscribe(...Object.values(Topic).map((topic) => this.channel(topic)));
  }

  private channel(topic: Topic): string {
    return `${this.namespace}:${topic}`;
  }

  async publish<T extends Topic>(topic: T, payload: TopicPayloads[T]): Promise<void> {
    await this.ready;
    await this.publisher.publish(this.channel(topic), JSON.stringify(payload));
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    return this.local.subscribe(topic, handler);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
