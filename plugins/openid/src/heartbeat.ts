// The `openid` heartbeat (openid.md §11, kinto-ts only): every provider's
// discovery URL answers a JSON object with an `issuer`, and its JWKS answers a
// `keys` array when `audience` is set. It never replaces the memoised discovery.
import type { HeartbeatCheck, Logger } from '@kinto-ts/core';
import { discoveryUrl, getJson } from './discovery.js';
import { isObject } from './http-client.js';
import type { Provider } from './provider.js';

export const HEARTBEAT_TIMEOUT_MS = 3_000;

async function providerProblem(provider: Provider, signal: AbortSignal): Promise<string | null> {
  const options = { timeoutMs: HEARTBEAT_TIMEOUT_MS, signal };
  const url = discoveryUrl(provider.settings.issuer);
  const discovery = await getJson(provider.http, url, options);
  if (!discovery.ok) return `discovery ${url}: ${discovery.reason}`;
  if (!isObject(discovery.body) || typeof discovery.body.issuer !== 'string') return `discovery ${url}: no issuer`;
  if (provider.settings.audience && provider.discovery.jwks_uri) {
    const jwks = await getJson(provider.http, provider.discovery.jwks_uri, options);
    if (!jwks.ok) return `JWKS ${provider.discovery.jwks_uri}: ${jwks.reason}`;
    if (!isObject(jwks.body) || !Array.isArray(jwks.body.keys)) return `JWKS ${provider.discovery.jwks_uri}: no keys array`;
  }
  return null;
}

export function openIdHeartbeat(providers: () => Provider[], log: Logger): HeartbeatCheck {
  return async (signal) => {
    const problems = await Promise.all(providers().map((p) => providerProblem(p, signal)));
    let healthy = true;
    problems.forEach((problem, i) => {
      if (problem === null) return;
      healthy = false;
      const name = providers()[i]!.settings.name;
      log.warn({ provider: name }, `openid heartbeat: provider '${name}' failing: ${problem}`);
    });
    return healthy;
  };
}
