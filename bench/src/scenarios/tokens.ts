// Bearer-token scenarios (issue #9): pages read with tokens already verified (no
// upstream call may happen), cold verification of distinct new FxA tokens, and
// concurrent first uses of one token (beyond.md item 12: one upstream call).
import { request } from '../http.js';
import { fire, measure, type LoadRequest, type Measurement, type Timing } from '../load.js';
import type { ServerHandle } from '../server-process.js';
import { OPENID_HEADER_TYPE } from '../kinto-config.js';
import type { FxaUpstream, OpenIdUpstream } from '../upstreams.js';

export interface CountedMeasurement {
  measurement: Measurement;
  upstreamCalls: number;
}

/** Sends the token once so that it is verified and cached; fails when it does not authenticate. */
async function prime(server: ServerHandle, authorization: string, prefix: string): Promise<void> {
  const hello = await request(server.url, 'GET', '/v1/', { authorization });
  const id = (hello.body as { user?: { id?: string } } | null)?.user?.id;
  if (hello.status !== 200 || !id?.startsWith(prefix)) {
    throw new Error(`the token did not authenticate as ${prefix}…: ${hello.status} ${hello.bytes.toString('utf8').slice(0, 200)}`);
  }
}

export async function fxaAuthorization(server: ServerHandle, fxa: FxaUpstream): Promise<string> {
  const authorization = `Bearer ${await fxa.mint()}`;
  await prime(server, authorization, 'fxa:');
  return authorization;
}

export async function openIdAuthorization(server: ServerHandle, openid: OpenIdUpstream, provider: string): Promise<string> {
  const authorization = `${OPENID_HEADER_TYPE} ${openid.token()}`;
  await prime(server, authorization, `${provider}:`);
  return authorization;
}

/** A measurement during which the upstream's calls are counted (a cached token must cost none). */
export async function measureCounted(
  server: ServerHandle,
  load: LoadRequest,
  timing: Timing,
  connections: number,
  calls: () => number,
): Promise<CountedMeasurement> {
  const before = calls();
  const measurement = await measure(server, load, timing, connections);
  return { measurement, upstreamCalls: calls() - before };
}

/** An authenticated hello: 200 with the FxA user, not an anonymous 200. */
function fxaHello(authorization: () => string): LoadRequest {
  return { path: '/v1/', authorization, check: (_status, body) => body.includes('"id":"fxa:') };
}

/** `count` requests, each with a distinct new token; every one must cost exactly one verification. */
export async function coldTokens(server: ServerHandle, fxa: FxaUpstream, count: number, connections: number): Promise<CountedMeasurement> {
  const tokens = await Promise.all(Array.from({ length: count }, () => fxa.mint()));
  let next = 0;
  const before = fxa.verifyCalls();
  // A request sent again after a socket error would reuse no token: the count stays exact.
  const measurement = await fire(server, fxaHello(() => `Bearer ${tokens[next++ % tokens.length]}`), count, connections);
  return { measurement, upstreamCalls: fxa.verifyCalls() - before };
}

/**
 * `count` concurrent first uses of one new token: the single-flight map makes them
 * one verification. FxA answers after `delayMs`, so every request arrives while the
 * verification is pending (otherwise late ones would be mere cache hits).
 */
export async function concurrentFirstUse(server: ServerHandle, fxa: FxaUpstream, count: number, delayMs: number): Promise<CountedMeasurement> {
  const authorization = `Bearer ${await fxa.mint()}`;
  const before = fxa.verifyCalls();
  fxa.delayVerify(delayMs);
  try {
    const measurement = await fire(server, fxaHello(() => authorization), count, count);
    return { measurement, upstreamCalls: fxa.verifyCalls() - before };
  } finally {
    fxa.delayVerify(null);
  }
}
