// The in-process cache: one bounded LRU (lru-cache) per namespace, each limited to
// `cache_max_size_bytes`, so no client can grow memory without limit and a flood
// of token verifications never evicts login states kept in another namespace.
//
// lru-cache is used directly rather than through keyv: keyv's store adapter drops
// lru-cache's TTL and size accounting, and `pop` must be synchronous to be atomic.
// keyv carries the Redis backend, where its adapter contract fits.
import { LRUCache } from 'lru-cache';
import type { Cache } from './index.js';

export interface MemoryCacheOptions {
  maxSizeBytes: number;
  prefix?: string;
}

// Entries are the JSON texts themselves, under the caller's key alone: each namespace
// has a space of its own, so neither the namespace nor `cache_prefix` is repeated in
// every key of a process-local store (100k cached token verifications: ~1/6 less heap).
class Space {
  readonly lru: LRUCache<string, string>;
  constructor(maxSizeBytes: number) {
    this.lru = new LRUCache<string, string>({
      maxSize: maxSizeBytes,
      // Approximate bytes: UTF-16 string lengths of key and JSON value, plus bookkeeping.
      sizeCalculation: (json, key) => json.length * 2 + key.length * 2 + 64,
      ttlAutopurge: false,
      allowStale: false,
    });
  }
}

/** Revocations (deletes, flushes) of every namespace of one cache. */
interface Revocations {
  count: number;
}

export class MemoryCache implements Cache {
  private readonly spaces: Map<string, Space>;
  private readonly space: Space;
  private readonly revocations: Revocations;

  constructor(
    private readonly options: MemoryCacheOptions,
    private readonly name = '',
    spaces?: Map<string, Space>,
    revocations?: Revocations,
  ) {
    this.revocations = revocations ?? { count: 0 };
    this.spaces = spaces ?? new Map();
    let space = this.spaces.get(name);
    if (!space) {
      space = new Space(options.maxSizeBytes);
      this.spaces.set(name, space);
    }
    this.space = space;
  }

  async initialize(): Promise<void> {}

  async heartbeat(): Promise<boolean> {
    const probe = `heartbeat:${process.pid}`;
    this.space.lru.set(probe, 'true', { ttl: 1000 });
    const ok = this.space.lru.get(probe) !== undefined;
    this.space.lru.delete(probe);
    return ok;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const json = this.space.lru.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const json = JSON.stringify(value ?? null);
    this.space.lru.set(key, json, { ttl: Math.max(1, Math.round(ttlSeconds * 1000)) });
  }

  /** Changes on every `delete` and `flush` of any namespace (see Cache.generation). */
  get generation(): number {
    return this.revocations.count;
  }

  async delete<T = unknown>(key: string): Promise<T | undefined> {
    this.revocations.count++;
    return this.popSync<T>(key);
  }

  async pop<T = unknown>(key: string): Promise<T | undefined> {
    return this.popSync<T>(key);
  }

  private popSync<T>(key: string): T | undefined {
    const json = this.space.lru.get(key);
    this.space.lru.delete(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  async expire(key: string, ttlSeconds: number): Promise<void> {
    const json = this.space.lru.get(key);
    if (json !== undefined) this.space.lru.set(key, json, { ttl: Math.max(1, Math.round(ttlSeconds * 1000)) });
  }

  async ttl(key: string): Promise<number> {
    if (!this.space.lru.has(key)) return -2;
    const remaining = this.space.lru.getRemainingTTL(key);
    if (remaining === Infinity) return -1;
    return Math.max(0, Math.round(remaining / 1000));
  }

  async flush(): Promise<void> {
    this.revocations.count++;
    for (const space of this.spaces.values()) space.lru.clear();
  }

  async close(): Promise<void> {}

  namespace(name: string): Cache {
    const full = this.name ? `${this.name}:${name}` : name;
    return new MemoryCache(this.options, full, this.spaces, this.revocations);
  }

  /** Bytes accounted in this namespace (for benchmarks and tests). */
  get sizeBytes(): number {
    return this.space.lru.calculatedSize;
  }
}
