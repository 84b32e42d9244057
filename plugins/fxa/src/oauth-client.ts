// The FxA OAuth API as kinto-fxa uses it (fxa.md §5, §8, §9.3, §11): one got
// instance with keep-alive agents per plugin (kinto-fxa issue #132 / PR #133: a client
// per request flooded DNS), a timeout on every call, and one classification of
// answers: JSON 4xx is FxA's verdict, anything else unexpected is an outage (503).
import http from 'node:http';
import https from 'node:https';
import got, { RequestError, type Got } from 'got';
import { UpstreamError } from '@kinto-ts/core';

export interface TokenProfile {
  user: string;
  client_id: string;
  scope: string[];
  generation?: number;
  profile_changed_at?: number;
}

/** FxA's answer to a JSON call, after the out-of-protocol cases became UpstreamError. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** FxA refused a request with a JSON 4xx (unknown token, bad code): not an outage. */
export class FxaRejection extends Error {
  constructor(
    readonly status: number,
    readonly errno: number | null,
    readonly fxaMessage: string,
  ) {
    super(`FxA answered ${status} errno ${errno ?? '?'}: ${fxaMessage}`);
    this.name = 'FxaRejection';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Checks a `/verify` answer (fxa.md §6): `user`, `client_id` and an array `scope` or 503. */
export function toProfile(body: unknown, source: string): TokenProfile {
  if (!isRecord(body)) throw new UpstreamError(`FxA ${source}: the answer is not a JSON object`);
  const missing = ['user', 'client_id', 'scope'].filter((k) => body[k] === undefined || body[k] === null);
  if (missing.length) throw new UpstreamError(`FxA ${source}: ${missing.join(', ')} missing in OAuth response`);
  const { user, client_id: clientId, scope } = body;
  if (typeof user !== 'string' || user === '' || typeof clientId !== 'string') {
    throw new UpstreamError(`FxA ${source}: user and client_id must be strings`);
  }
  if (!Array.isArray(scope) || !scope.every((s) => typeof s === 'string')) {
    throw new UpstreamError(`FxA ${source}: scope must be a list of strings`);
  }
  const profile: TokenProfile = { user, client_id: clientId, scope: scope as string[] };
  const generation = optionalNumber(body.generation);
  const changed = optionalNumber(body.profile_changed_at);
  if (generation !== undefined) profile.generation = generation;
  if (changed !== undefined) profile.profile_changed_at = changed;
  return profile;
}

export interface OAuthClientOptions {
  /** The API base ending in `/v1`. */
  apiBase: string;
  timeoutSeconds: number;
}

export class FxaOAuthClient {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  private readonly got: Got;

  constructor(readonly options: OAuthClientOptions) {
    this.got = got.extend({
      agent: this.agents,
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      timeout: { request: Math.max(1, options.timeoutSeconds * 1000) },
    });
  }

  /**
   * A JSON call to the API. Network failures, timeouts and non-JSON answers throw
   * UpstreamError; the message names the endpoint and the failure, never the body
   * (it holds tokens, codes and secrets), and the got error is not attached for the same reason.
   */
  async call(method: 'GET' | 'POST', path: string, json?: Record<string, unknown>): Promise<JsonAnswer> {
    const url = `${this.options.apiBase}${path}`;
    let response;
    try {
      response = await this.got(url, { method, json, headers: { accept: 'application/json' } });
    } catch (error) {
      const code = error instanceof RequestError ? error.code : 'ERROR';
      throw new UpstreamError(`FxA ${method} ${path} failed: ${code}`);
    }
    const type = String(response.headers['content-type'] ?? '');
    if (!type.toLowerCase().startsWith('application/json')) {
      throw new UpstreamError(`FxA ${method} ${path}: answered ${response.statusCode} with content type '${type}'`);
    }
    try {
      return { status: response.statusCode, body: JSON.parse(response.body) as unknown };
    } catch {
      throw new UpstreamError(`FxA ${method} ${path}: answered ${response.statusCode} with invalid JSON`);
    }
  }

  /** JSON 2xx body, FxaRejection for a JSON 4xx, UpstreamError otherwise (5xx included, fxa.md §6). */
  async expectOk(method: 'GET' | 'POST', path: string, json?: Record<string, unknown>): Promise<unknown> {
    const { status, body } = await this.call(method, path, json);
    if (status >= 200 && status < 300) return body;
    if (status >= 400 && status < 500) {
      const errno = isRecord(body) && typeof body.errno === 'number' ? body.errno : null;
      const message = isRecord(body) && typeof body.message === 'string' ? body.message : '';
      throw new FxaRejection(status, errno, message);
    }
    throw new UpstreamError(`FxA ${method} ${path}: answered ${status}`);
  }

  /** `POST /verify` (fxa.md §11.3): the profile, or null when FxA says the token is invalid or expired. */
  async verify(token: string): Promise<TokenProfile | null> {
    try {
      return toProfile(await this.expectOk('POST', '/verify', { token }), 'POST /verify');
    } catch (error) {
      if (error instanceof FxaRejection) return null;
      throw error;
    }
  }

  /** `GET /jwks`: the raw key set, validated by the caller. Any failure is an outage (fxa.md §6). */
  async jwks(): Promise<unknown> {
    try {
      return await this.expectOk('GET', '/jwks');
    } catch (error) {
      if (error instanceof FxaRejection) throw new UpstreamError(`FxA GET /jwks: answered ${error.status}`);
      throw error;
    }
  }

  /**
   * `GET {host}/__heartbeat__` (fxa.md §8): the host root even when the API base
   * ends with `/v1`; redirects followed; 2xx/3xx healthy.
   */
  async heartbeat(signal: AbortSignal, timeoutSeconds: number): Promise<boolean> {
    const url = new URL('/__heartbeat__', this.options.apiBase);
    const response = await this.got(url, {
      signal,
      followRedirect: true,
      timeout: { request: Math.max(1, timeoutSeconds * 1000) },
    });
    return response.statusCode < 400;
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
