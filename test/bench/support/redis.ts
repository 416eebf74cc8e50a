/** A private redis-server for a benchmark run, on a free port, stopped by the cleanup registry. */
import { spawn } from "node:child_process";
import net from "node:net";
import { onCleanup } from "./server.js";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setTimeout(500);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A private redis-server on a free port (no persistence), so no other process's pub/sub traffic mixes in. */
export async function startRedis(): Promise<{ url: string; version: string }> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  });
  for (let i = 0; i < 100; i++) {
    if (await redisPing(port)) {
      const version = await new Promise<string>((resolve) => {
        const p = spawn("redis-server", ["--version"]);
        let out = "";
        p.stdout.on("data", (d: Buffer) => (out += d.toString()));
        p.on("close", () => resolve(/v=(\S+)/.exec(out)?.[1] ?? "unknown"));
      });
      return { url: `redis://127.0.0.1:${port}`, version };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("redis-server did not answer PING");
}
