// One keep-alive HTTP client per provider (beyond.md item 15): a DNS lookup and a
// TLS handshake per verification is what filled a production conntrack table in
// kinto-fxa #132. No retries (an outage must surface as 503 quickly) and no
// redirects (an IdP endpoint that redirects is misconfigured, not followed blindly).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { type Got } from 'got';

/** openid.md §5.2 and §7.2: 10 s for userinfo and the code trade. */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface HttpClient {
  readonly got: Got;
  close(): void;
}

export function createHttpClient(): HttpClient {
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const client = got.extend({
    agent,
    timeout: { request: REQUEST_TIMEOUT_MS },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    headers: { 'user-agent': 'kinto-ts-openid' },
  });
  return {
    got: client,
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

/** Parses a JSON text; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
