import net from "node:net";

/** A TCP forwarder that can be cut (listener closed, open connections reset), silenced, and restored on the same port. */
export interface TcpProxy {
  port: number;
  /** Simulates the database going away: refuses new connections and breaks open ones. */
  cut(): Promise<void>;
  /**
   * Simulates a database that accepts connections but never answers (a hung server, a
   * black-holing network): open connections stay open and new ones are accepted, but no
   * byte is forwarded either way.
   */
  silence(): void;
  /** Forwards again; connections held while silent are reset (their bytes are lost). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let silent = false;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (silent) {
      client.on("data", () => undefined);
      return;
    }
    const upstream = net.connect(target);
    track(upstream);
    // Forwards each chunk unless silenced (pipe() cannot be held back without buffering).
    client.on("data", (chunk) => silent || upstream.write(chunk));
    upstream.on("data", (chunk) => silent || client.write(chunk));
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  await listen(0);
  const { port } = server.address() as net.AddressInfo;
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.resetAndDestroy();
    await closed;
  };
  return {
    port,
    cut,
    silence: () => {
      silent = true;
    },
    restore: async () => {
      if (silent) {
        silent = false;
        for (const socket of sockets) socket.resetAndDestroy();
      }
      if (!server.listening) await listen(port);
    },
    close: async () => {
      if (server.listening) await cut();
    },
  };
}
