// The cache interface (Kinto's CacheBase) used for token verifications, OAuth
// states, pagination tokens and account checks. Values are JSON-serialisable.
// Backends: memory (bounded LRU through keyv + lru-cache), Redis (keyv +
// @keyv/redis) and PostgreSQL. Keys never hold secrets in clear: callers hash them.

export interface Cache {
  initialize(): Promise<void>;
  heartbeat(): Promise<boolean>;
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores `value` for `ttlSeconds` (required: nothing lives forever in the cache). */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** Deletes and returns the previous value. */
  delete<T = unknown>(key: string): Promise<T | undefined>;
  /**
   * Atomic get-and-delete: of concurrent pops of one key (in any process sharing
   * the backend), exactly one gets the value. Single-use OAuth states rely on it.
   */
  pop<T = unknown>(key: string): Promise<T | undefined>;
  expire(key: string, ttlSeconds: number): Promise<void>;
  /** Remaining seconds; -2 when the key is absent (Redis semantics), -1 without expiry. */
  ttl(key: string): Promise<number>;
  flush(): Promise<void>;
  close(): Promise<void>;
  /**
   * A view whose keys live under `name:`. On the memory backend every namespace
   * has its own size bound, so that a flood in one (token verifications) never
   * evicts another (login states).
   */
  namespace(name: string): Cache;

  /**
   * A number that changes whenever an entry is revoked — `delete` and `flush`, in any
   * namespace — when the backend alone can tell (in-process memory); absent when other
   * processes share the cache (Redis, PostgreSQL). `pop` (single-use states, pagination
   * tokens) and expiry do not change it. Verifications cached by a policy are reused
   * by the multiauth chain only while it is unchanged (authentication/multiauth.ts).
   */
  readonly generation?: number;
}
