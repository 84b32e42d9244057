// The load generator: autocannon as a library, run in the driver process (the
// server runs in its own). Each measurement is a warm-up whose figures are dropped,
// then a fixed-duration run (or a fixed number of requests for cold scenarios).
import autocannon from 'autocannon';
import type { ServerHandle } from './server-process.js';

export interface Timing {
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** A fresh Authorization header per request (distinct tokens). */
  authorization?: () => string;
  /** Extra check of each answer (e.g. every sub-response of a batch); a false counts as an error. */
  check?: (status: number, body: string) => boolean;
}

export interface Measurement {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  /** Connection errors, timeouts, non-2xx answers and failed checks. */
  errors: number;
  /** Peak RSS of the server during warm-up and measurement, in bytes. */
  peakRssBytes: number | null;
  /** What the errors were, for the report (status codes, first failed body). */
  errorDetail?: string;
}

interface RunOptions {
  connections: number;
  durationSeconds?: number;
  amount?: number;
}

async function run(url: string, request: LoadRequest, options: RunOptions) {
  let failedChecks = 0;
  let firstFailure: string | undefined;
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const onResponse = (status: number, body: string) => {
    lastAnswerAt = performance.now();
    const ok = status >= 200 && status < 300 && (!request.check || request.check(status, body));
    if (!ok) {
      if (status >= 200 && status < 300) failedChecks += 1;
      firstFailure ??= `${status} ${body.slice(0, 300)}`;
    }
  };
  const result = await autocannon({
    url,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 1 }),
    requests: [
      {
        method: request.method ?? 'GET',
        path: request.path,
        headers: { ...request.headers, ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: request.body,
        // autocannon calls a present `setupRequest` key even when undefined.
        ...(request.authorization
          ? { setupRequest: (req: autocannon.Request) => ({ ...req, headers: { ...req.headers, authorization: request.authorization!() } }) }
          : {}),
        onResponse,
      },
    ],
  });
  // Requests still unanswered when the run ends are not errors, unless nothing was answered at all.
  const silent = result.requests.total === 0 ? Math.max(result.requests.sent, 1) : 0;
  const errors = result.errors + result.non2xx + failedChecks + silent;
  const detail = silent ? `no answer within ${result.duration.toFixed(0)} s` : describe(result, firstFailure);
  // autocannon notices the end of a fixed-amount run at its next one-second tick, so its
  // duration is rounded up to whole seconds there: the last answer's time is the true end.
  const seconds = options.amount !== undefined ? Math.max((lastAnswerAt - startedAt) / 1000, 0.001) : result.duration;
  return { result, seconds, errors, errorDetail: errors > 0 ? detail : undefined };
}

function describe(result: autocannon.Result, firstFailure: string | undefined): string {
  const codes = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, stat]) => `${code}×${stat.count ?? 0}`);
  const parts = [...codes, result.errors ? `${result.errors} connection errors (${result.timeouts} timeouts)` : ''].filter(Boolean);
  return [parts.join(', '), firstFailure ? `first: ${firstFailure}` : ''].filter(Boolean).join('; ');
}

/** Warm-up, then a fixed-duration measurement. */
function toMeasurement(server: ServerHandle, { result, seconds, errors, errorDetail }: Awaited<ReturnType<typeof run>>): Measurement {
  return {
    requestsPerSecond: result.requests.total / seconds,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    errors,
    peakRssBytes: server.peakRssBytes(),
    ...(errorDetail ? { errorDetail } : {}),
  };
}

export async function measure(server: ServerHandle, request: LoadRequest, timing: Timing, connections = 10): Promise<Measurement> {
  server.resetPeak();
  if (timing.warmupSeconds > 0) await run(server.url, request, { connections, durationSeconds: timing.warmupSeconds });
  return toMeasurement(server, await run(server.url, request, { connections, durationSeconds: timing.durationSeconds }));
}

/** A fixed number of requests, no warm-up (cold scenarios: every request is a first use). */
export async function fire(server: ServerHandle, request: LoadRequest, amount: number, connections: number): Promise<Measurement> {
  server.resetPeak();
  return toMeasurement(server, await run(server.url, request, { connections, amount }));
}
