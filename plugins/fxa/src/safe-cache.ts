// kinto-fxa's `TokenVerificationCache` (fxa.md §5.1, PyFxA issue #48 / kinto-fxa PR #45):
// a failing cache never prevents authentication. Errors are logged, with the key's
// namespace only, and a failed read is a miss.
import type { Cache, Logger } from '@kinto-ts/core';

export class SafeCache {
  constructor(
    private readonly cache: Cache,
    private readonly log: Logger,
    private readonly label: string,
  ) {}

  private report(operation: string, error: unknown): void {
    this.log.warn({ error: (error as Error)?.message ?? String(error) }, `kinto-fxa: cache ${operation} failed in ${this.label}`);
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return await this.cache.get<T>(key);
    } catch (error) {
      this.report('get', error);
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await this.cache.set(key, value, ttlSeconds);
    } catch (error) {
      this.report('set', error);
    }
  }

  /** Remaining seconds (Cache.ttl); -2 when the cache failed (logged). */
  async ttl(key: string): Promise<number> {
    try {
      return await this.cache.ttl(key);
    } catch (error) {
      this.report('ttl', error);
      return -2;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.cache.delete(key);
    } catch (error) {
      this.report('delete', error);
    }
  }
}
