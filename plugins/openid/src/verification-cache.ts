// Where verifications live (openid.md §5.1, beyond.md items 6, 7, 12, 13): the
// positive cache under an HMAC of provider fields and token, a short negative
// cache, and an in-process single-flight map so N concurrent requests carrying one
// new token cause one IdP call. Cache failures never fail a request (openid.md §5.1).
import { hmacDigest, type Cache, type Logger } from '@kinto-ts/core';

/** beyond.md item 13: how long "this token is invalid" is remembered. */
export const NEGATIVE_TTL_SECONDS = 30;

/** The hex part of `openid:verify:{hex}`; the token never appears in a key. */
export function verificationDigest(secret: string, issuer: string, clientId: string, audience: string, token: string): string {
  return hmacDigest(secret, `${issuer}:${clientId}:${audience}:${token}`);
}

export type Payload = Record<string, unknown>;

export interface Verified {
  payload: Payload;
  /** Epoch ms until which the answer may be reused without reading the cache (in-process caches only). */
  reuseUntil?: number;
}

export class VerificationCache {
  private readonly inflight = new Map<string, Promise<Verified | null>>();
  /** The cache lives in this process: its deletions are seen (Cache.generation), answers may be reused. */
  private readonly local: boolean;

  /**
   * @param positive the `openid:verify` namespace; @param negative the `openid:invalid` one.
   * Separate namespaces are separately bounded on the memory backend, so a flood of
   * bad tokens never evicts good verifications.
   */
  constructor(
    private readonly positive: Cache,
    private readonly negative: Cache,
    private readonly log: Logger,
    private readonly provider: string,
  ) {
    this.local = positive.generation !== undefined;
  }

  /**
   * The cached payload, or the result of `verify` computed once for all concurrent
   * callers; `verify` resolves to the payload and its TTL, null when invalid, or throws (outage).
   */
  async resolve(digest: string, verify: () => Promise<{ payload: Payload; ttlSeconds: number } | null>): Promise<Verified | null> {
    const cached = await this.read<Payload>(this.positive, digest);
    if (cached && typeof cached === 'object') return { payload: cached, reuseUntil: await this.cachedUntil(digest) };
    if ((await this.read(this.negative, digest)) !== undefined) return null;
    let pending = this.inflight.get(digest);
    if (!pending) {
      pending = (async () => {
        const result = await verify();
        if (!result) {
          await this.write(this.negative, digest, true, NEGATIVE_TTL_SECONDS);
          return null;
        }
        // Fixed TTL: a hit never extends it (openid.md §4 step 6).
        await this.write(this.positive, digest, result.payload, result.ttlSeconds);
        // Reused from its second use on (a cache hit): one-off tokens never fill the chain's memo.
        return { payload: result.payload };
      })();
      this.inflight.set(digest, pending);
      const forget = () => this.inflight.delete(digest);
      pending.then(forget, forget);
    }
    return pending;
  }

  private async read<T>(cache: Cache, key: string): Promise<T | undefined> {
    try {
      return await cache.get<T>(key);
    } catch (error) {
      this.log.warn({ provider: this.provider, err: (error as Error).message }, 'openid: cache read failed, verifying with the provider');
      return undefined;
    }
  }

  private async write(cache: Cache, key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await cache.set(key, value, ttlSeconds);
    } catch (error) {
      this.log.warn({ provider: this.provider, err: (error as Error).message }, 'openid: cache write failed');
    }
  }

  /** The expiry of a cached verification, a second early; none with a cache other processes share. */
  private async cachedUntil(digest: string): Promise<number | undefined> {
    if (!this.local) return undefined;
    let seconds: number;
    try {
      seconds = await this.positive.ttl(digest);
    } catch {
      return undefined;
    }
    return seconds > 1 ? Date.now() + (seconds - 1) * 1000 : undefined;
  }
}
