// One configured OpenID provider at run time: its settings, discovery document,
// HTTP client, JWT verifier and caches. Built once per provider at start-up.
import type { Cache, Logger } from '@kinto-ts/core';
import type { DiscoveryCache, DiscoveryDocument } from './discovery.js';
import { createHttpClient, type HttpClient } from './http-client.js';
import { createJwtVerifier, type JwtVerifier } from './jwt.js';
import type { ProviderSettings } from './settings.js';
import { VerificationCache } from './verification-cache.js';

export interface Provider {
  readonly settings: ProviderSettings;
  readonly discovery: DiscoveryDocument;
  readonly http: HttpClient;
  /** beyond.md item 2: PKCE when discovery lists S256. */
  readonly pkce: boolean;
  readonly verifyJwt: JwtVerifier | null;
  readonly verifications: VerificationCache;
  /** `openid:state:{state}` entries (openid.md §10). */
  readonly states: Cache;
  /** The core's `userid_hmac_secret` (cache keys, state cookies). */
  readonly secret: string;
  readonly log: Logger;
}

export interface ProviderContext {
  cache: Cache;
  log: Logger;
  secret: string;
  discoveries: DiscoveryCache;
}

export async function createProvider(settings: ProviderSettings, context: ProviderContext): Promise<Provider> {
  const needJwks = settings.audience !== '';
  const discovery = await context.discoveries.discover(settings.name, settings.issuer, needJwks);
  const log = context.log;
  return {
    settings,
    discovery,
    http: createHttpClient(),
    pkce: discovery.code_challenge_methods_supported?.includes('S256') ?? false,
    verifyJwt: needJwks ? createJwtVerifier(settings.name, discovery, settings.audience) : null,
    verifications: new VerificationCache(context.cache.namespace('openid:verify'), context.cache.namespace('openid:invalid'), log, settings.name),
    states: context.cache.namespace('openid:state'),
    secret: context.secret,
    log,
  };
}
