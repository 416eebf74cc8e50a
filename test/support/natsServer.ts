import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort, listening } from "./serverProcess.js";
import { until } from "./until.js";

/** Debian's nats-server; NATS_SERVER_BIN names another. */
const BINARY = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

export interface NatsServer {
  url: string;
  port: number;
  /**
   * Closes the client connection, SIGTERMs the server and waits until the port is closed.
   * SIGTERM, not SIGKILL: a killed nats-server can lose consumer state it had not flushed
   * (acks), and redeliver those ticks after the ack wait; the feed skips them, but the test
   * would wait for them.
   */
  stop(): Promise<void>;
  /** Starts again on the same port and storage directory (streams and consumers survive). */
  restart(): Promise<void>;
  /** A client connection for publishing (a new one after restart()). */
  client(): Promise<NatsConnection>;
  /** Publishes through JetStream, each message confirmed by the stream, in the order given; returns their stream sequences. */
  publish(messages: { subject: string; body: string | object }[]): Promise<number[]>;
  /** Stops the server for good and removes its storage. */
  close(): Promise<void>;
}

/** A private nats-server with JetStream for one test file: its own free port and storage directory. */
export async function startNatsServer(): Promise<NatsServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "risk-nats-"));
  let child: ChildProcess | null = null;
  let output = "";
  let nc: NatsConnection | null = null;
  const url = `nats://127.0.0.1:${port}`;

  const launch = async () => {
    child = spawn(BINARY, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (c) => (output += c));
    child.stderr!.on("data", (c) => (output += c));
    try {
      await until(() => listening(port), 10_000, `nats-server on ${port}`);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output}`);
    }
  };
  const kill = async () => {
    await nc?.close();
    nc = null;
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    await exited;
    await until(async () => !(await listening(port)), 10_000, `port ${port} to close`);
  };
  const client = async () => (nc ??= await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 200 }));

  /** Up, and JetStream answering (it recovers its storage after the port opens). */
  const ready = async () => {
    await launch();
    await until(async () => {
      try {
        await (await jetstreamManager(await client())).getAccountInfo();
        return true;
      } catch {
        return false;
      }
    }, 10_000, "JetStream to answer");
  };

  await ready();
  return {
    url,
    port,
    stop: kill,
    restart: ready,
    client,
    async publish(messages) {
      const js = jetstream(await client());
      const sequences: number[] = [];
      // Confirmed in windows: fast, and the order in the stream is the order given.
      for (let i = 0; i < messages.length; i += 500) {
        const acks = await Promise.all(
          messages.slice(i, i + 500).map(({ subject, body }) => js.publish(subject, typeof body === "string" ? body : JSON.stringify(body))),
        );
        sequences.push(...acks.map((a) => a.seq));
      }
      return sequences;
    },
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
