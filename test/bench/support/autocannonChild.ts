/**
 * One autocannon run in its own process (started by autocannon.ts, never inside a
 * server): reads its LoadSpec as JSON on stdin, POSTs the bodies (one drawn at random
 * per request when there are several), counts 200 answers whose body contains one of
 * the `reject` strings (GraphQL errors), and prints its LoadResult as JSON on stdout.
 */
import { createRequire } from "node:module";
import { text } from "node:stream/consumers";
import type { LoadResult, LoadSpec } from "./autocannon.js";

interface Histogram {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

interface AutocannonResult {
  duration: number;
  latency: Histogram;
  requests: { total: number };
  "2xx": number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

type Request = { method: string; path: string; body?: string; setupRequest?: (req: Request) => Request; onResponse?: (status: number, body: string) => void };

const autocannon = createRequire(import.meta.url)("autocannon") as (options: object) => Promise<AutocannonResult>;

const spec = JSON.parse(await text(process.stdin)) as LoadSpec;
const url = new URL(spec.url);
let rejected = 0;
const samples: string[] = [];
const reject = spec.reject ?? ['"errors"'];
const request: Request = {
  method: "POST",
  path: url.pathname,
  onResponse: (status, body) => {
    if (status === 200 && reject.some((s) => body.includes(s))) {
      rejected++;
      if (samples.length < 3) samples.push(body.slice(0, 300));
    }
  },
};
if (spec.bodies.length === 1) request.body = spec.bodies[0];
else request.setupRequest = (req) => ({ ...req, body: spec.bodies[Math.floor(Math.random() * spec.bodies.length)] });

const result = await autocannon({
  url: url.origin,
  connections: spec.connections,
  duration: spec.seconds,
  ...(spec.rate ? { overallRate: spec.rate } : {}),
  timeout: 10,
  headers: { "content-type": "application/json", authorization: `Bearer ${spec.token}` },
  requests: [request],
});
const out: LoadResult = {
  seconds: result.duration,
  requests: result.requests.total,
  ok: result["2xx"] - rejected,
  non2xx: result.non2xx,
  socketErrors: result.errors,
  timeouts: result.timeouts,
  graphqlErrors: rejected,
  p50: result.latency.p50,
  p90: result.latency.p90,
  p99: result.latency.p99,
  max: result.latency.max,
  mean: result.latency.mean,
  samples,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
