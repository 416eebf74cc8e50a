import type { Logger } from "pino";

/**
 * Graceful shutdown on SIGTERM and SIGINT: `close` stops the market feed (the batch in
 * hand commits and is acknowledged; what it pulled beyond goes back to the stream), stops
 * accepting connections, lets in-flight requests finish, closes subscriptions (WebSocket
 * code 1001), then the database and Redis; the process exits 0 when it is done, 1 when closing failed, and
 * is forced out (exit 1) after `timeoutMs`. Signals during the shutdown are ignored.
 */
export function exitOnSignals(close: () => Promise<void>, logger: Logger, timeoutMs: number): void {
  let stopping = false;
  const exit = (code: number) => {
    logger.flush?.();
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // npm forwards a terminal's Ctrl-C that the process group already got: one shutdown only.
      if (stopping) return;
      stopping = true;
      const started = Date.now();
      logger.info({ signal, timeoutMs }, "shutting down: draining requests and subscriptions");
      setTimeout(() => {
        logger.error({ timeoutMs }, "shutdown timed out: exiting anyway");
        exit(1);
      }, timeoutMs).unref();
      close().then(
        () => {
          logger.info({ ms: Date.now() - started }, "shutdown complete");
          exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          exit(1);
        },
      );
    });
  }
}
