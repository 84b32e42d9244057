// OpenID discovery (openid.md §3): `{issuer}/.well-known/openid-configuration`,
// fetched at start-up once per issuer and never refreshed (as upstream). kinto-ts
// checks the document, so a provider that is down or misconfigured stops start-up
// with a message naming it instead of failing every request later.
import { StartupError, type Logger } from '@kinto-ts/core';
import type { HttpClient } from './http-client.js';
import { isObject, parseJson } from './http-client.js';

export const DISCOVERY_TIMEOUT_MS = 10_000;

export interface DiscoveryDocument {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri?: string;
  code_challenge_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
}

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;

/** Checks a discovery document; returns the reason it is unusable, or the document. */
export function parseDiscovery(body: unknown, needJwks: boolean): DiscoveryDocument | string {
  if (!isObject(body)) return 'not a JSON object';
  const fields = ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint'];
  if (needJwks) fields.push('jwks_uri');
  const missing = fields.filter((f) => typeof body[f] !== 'string' || body[f] === '');
  if (missing.length) return `missing ${missing.join(', ')}`;
  for (const f of fields) {
    try {
      new URL(body[f] as string);
    } catch {
      return `${f} is not a URL`;
    }
  }
  return {
    issuer: body.issuer as string,
    authorization_endpoint: body.authorization_endpoint as string,
    token_endpoint: body.token_endpoint as string,
    userinfo_endpoint: body.userinfo_endpoint as string,
    jwks_uri: typeof body.jwks_uri === 'string' ? body.jwks_uri : undefined,
    code_challenge_methods_supported: stringList(body.code_challenge_methods_supported),
    id_token_signing_alg_values_supported: stringList(body.id_token_signing_alg_values_supported),
  };
}

/** GETs a JSON document: the parsed body on 200, else a reason. Never throws. */
export async function getJson(
  http: HttpClient,
  url: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ ok: true; body: unknown } | { ok: false; reason: string }> {
  try {
    const response = await http.got.get(url, { timeout: { request: options.timeoutMs }, signal: options.signal });
    if (response.statusCode !== 200) return { ok: false, reason: `HTTP ${response.statusCode}` };
    const body = parseJson(response.body);
    return body === undefined ? { ok: false, reason: 'invalid JSON' } : { ok: true, body };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * Discovery memoised per issuer string for one server: two providers on one IdP
 * (two client ids) fetch once (openid.md §13 item 8).
 */
export class DiscoveryCache {
  private readonly documents = new Map<string, Promise<unknown>>();

  constructor(
    private readonly http: HttpClient,
    private readonly log: Logger,
  ) {}

  async discover(provider: string, issuer: string, needJwks: boolean): Promise<DiscoveryDocument> {
    const url = discoveryUrl(issuer);
    let pending = this.documents.get(issuer);
    if (!pending) {
      pending = getJson(this.http, url, { timeoutMs: DISCOVERY_TIMEOUT_MS }).then((r) => (r.ok ? r.body : new Error(r.reason)));
      this.documents.set(issuer, pending);
    }
    const body = await pending;
    const parsed = body instanceof Error ? body.message : parseDiscovery(body, needJwks);
    if (typeof parsed === 'string') {
      throw new StartupError('KINTO_ERR_PLUGIN', `OpenID provider '${provider}': discovery document ${url} is unusable: ${parsed}`);
    }
    if (!sameIssuer(parsed.issuer, issuer)) {
      this.log.warn({ provider, discovered: parsed.issuer }, `OpenID provider '${provider}': discovered issuer differs from multiauth.policy.${provider}.issuer`);
    }
    return parsed;
  }
}
