// Token verification with caching (fxa.md §5.2, beyond.md items 6, 12, 13):
// one verification per token (scope routing happens locally), cached under a keyed
// HMAC of the token; concurrent requests with the same new token share one upstream
// call; rejected tokens are remembered for a short while. Outages are never cached.
import { hmacDigest, type Cache, type Logger } from '@kinto-ts/core';
import type { JwksVerifier } from './jwt.js';
import type { FxaOAuthClient, TokenProfile } from './oauth-client.js';
import { SafeCache } from './safe-cache.js';

/** Cache namespaces: the fixed prefixes of beyond.md item 6. */
export const VERIFY_NAMESPACE = 'fxa-oauth:verify';
export const INVALID_NAMESPACE = 'fxa-oauth:invalid';

export interface VerifierOptions {
  client: FxaOAuthClient;
  jwks: JwksVerifier;
  cache: Cache;
  log: Logger;
  /** `userid_hmac_secret`: PyFxA's HMAC key is a public constant, so its keys are effectively unkeyed hashes. */
  hmacSecret: string;
  ttlSeconds: number;
  invalidTtlSeconds: number;
}

function isProfile(value: unknown): value is TokenProfile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.user === 'string' && typeof v.client_id === 'string' && Array.isArray(v.scope) && v.scope.every((s) => typeof s === 'string');
}

export interface Verification {
  profile: TokenProfile;
  /** Epoch ms until which the answer may be reused without reading the cache (in-process caches only). */
  reuseUntil?: number;
}

export class TokenVerifier {
  private readonly verified: SafeCache;
  private readonly rejected: SafeCache;
  /** In-process single flight: HMAC(token) → the pending verification. */
  private readonly inflight = new Map<string, Promise<Verification | null>>();
  /** The cache lives in this process: its deletions are seen (Cache.generation), answers may be reused. */
  private readonly local: boolean;

  constructor(private readonly options: VerifierOptions) {
    this.local = options.cache.generation !== undefined;
    this.verified = new SafeCache(options.cache.namespace(VERIFY_NAMESPACE), options.log, VERIFY_NAMESPACE);
    this.rejected = new SafeCache(options.cache.namespace(INVALID_NAMESPACE), options.log, INVALID_NAMESPACE);
  }

  /** The cache key of a token: never the token itself. */
  tokenKey(token: string): string {
    return hmacDigest(this.options.hmacSecret, token);
  }

  /**
   * The token's profile, null when FxA rejects it; throws UpstreamError when FxA cannot
   * answer. With an in-process cache, also until when the answer holds without reading
   * the cache again (its entry's expiry; any deletion revokes it: Cache.generation).
   */
  async verify(token: string): Promise<Verification | null> {
    const key = this.tokenKey(token);
    const running = this.inflight.get(key);
    if (running) return running;
    // A cached verification needs no single flight (the common case: no extra promise per request).
    const cached = await this.verified.get<unknown>(key);
    if (isProfile(cached)) return { profile: cached, reuseUntil: await this.cachedUntil(key) };
    // A miss: the first request asks, the others arriving meanwhile share its answer
    // (checked again: another request may have started while the cache was read).
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.resolve(key, token).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** The expiry of a cached verification, a second early; none with a cache other processes share. */
  private async cachedUntil(key: string): Promise<number | undefined> {
    if (!this.local) return undefined;
    const seconds = await this.verified.ttl(key);
    return seconds > 1 ? Date.now() + (seconds - 1) * 1000 : undefined;
  }

  /** Forgets a token (after `/destroy`, or an account event). */
  async forget(token: string): Promise<void> {
    const key = this.tokenKey(token);
    await Promise.all([this.verified.delete(key), this.rejected.delete(key)]);
  }

  private async resolve(key: string, token: string): Promise<Verification | null> {
    // Read again under the single flight: a verification may have finished since this
    // request's first read (a shared cache can answer reads out of order).
    const cached = await this.verified.get<unknown>(key);
    if (isProfile(cached)) return { profile: cached, reuseUntil: await this.cachedUntil(key) };
    if (this.options.invalidTtlSeconds > 0 && (await this.rejected.get<unknown>(key)) !== undefined) return null;

    const { profile, expiresAt } = await this.ask(token);
    if (profile) {
      // A fixed TTL (a hit does not extend it), capped at the JWT expiry when known (beyond.md item 7).
      const untilExpiry = (expiresAt - Date.now()) / 1000;
      const ttl = Math.min(this.options.ttlSeconds, untilExpiry);
      if (ttl > 0) {
        await this.verified.set(key, profile, ttl);
      }
      // Reused from its second use on (a cache hit): one-off tokens never fill the chain's memo.
      return { profile };
    }
    if (this.options.invalidTtlSeconds > 0) await this.rejected.set(key, true, this.options.invalidTtlSeconds);
    return null;
  }

  private async ask(token: string): Promise<{ profile: TokenProfile | null; expiresAt: number }> {
    const local = await this.options.jwks.verify(token);
    if (local.kind === 'valid') return { profile: local.profile, expiresAt: local.expiresAt };
    if (local.kind === 'invalid') {
      this.options.log.info({ reason: local.reason }, 'kinto-fxa: invalid FxA JWT access token');
      return { profile: null, expiresAt: 0 };
    }
    return { profile: await this.options.client.verify(token), expiresAt: Infinity };
  }
}
