// The in-process cache: one bounded LRU (lru-cache) per namespace, each limited to
// `cache_max_size_bytes`, so no client can grow memory without limit and a flood
// of token verifications never evicts login states kept in another namespace.
//
// lru-cache is used directly rather than through keyv: keyv's store adapter drops
// lru-cache's TTL and size accounting, and `pop` must be synchronous to be atomic.
// keyv carries the Redis backend, where its adapter contract fits.
import { LRUCache } from 'lru-cache';
import type { Cache } from './index.js';

interface Entry {
  json: string;
}

export interface MemoryCacheOptions {
  maxSizeBytes: number;
  prefix?: string;
}

class Space {
  readonly lru: LRUCache<string, Entry>;
  constructor(maxSizeBytes: number) {
    this.lru = new LRUCache<string, Entry>({
      maxSize: maxSizeBytes,
      // Approximate bytes: UTF-16 string lengths of key and JSON value, plus bookkeeping.
      sizeCalculation: (entry, key) => entry.json.length * 2 + key.length * 2 + 64,
      ttlAutopurge: false,
      allowStale: false,
    });
  }
}

export class MemoryCache implements Cache {
  private readonly spaces: Map<string, Space>;
  private readonly space: Space;

  constructor(
    private readonly options: MemoryCacheOptions,
    private readonly name = '',
    spaces?: Map<string, Space>,
  ) {
    this.spaces = spaces ?? new Map();
    let space = this.spaces.get(name);
    if (!space) {
      space = new Space(options.maxSizeBytes);
      this.spaces.set(name, space);
    }
    this.space = space;
  }

  private key(key: string): string {
    return `${this.options.prefix ?? ''}${key}`;
  }

  async initialize(): Promise<void> {}

  async heartbeat(): Promise<boolean> {
    const probe = `heartbeat:${process.pid}`;
    this.space.lru.set(probe, { json: 'true' }, { ttl: 1000 });
    const ok = this.space.lru.get(probe) !== undefined;
    this.space.lru.delete(probe);
    return ok;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const entry = this.space.lru.get(this.key(key));
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const json = JSON.stringify(value ?? null);
    this.space.lru.set(this.key(key), { json }, { ttl: Math.max(1, Math.round(ttlSeconds * 1000)) });
  }

  async delete<T = unknown>(key: string): Promise<T | undefined> {
    return this.popSync<T>(key);
  }

  async pop<T = unknown>(key: string): Promise<T | undefined> {
    return this.popSync<T>(key);
  }

  private popSync<T>(key: string): T | undefined {
    const k = this.key(key);
    const entry = this.space.lru.get(k);
    this.space.lru.delete(k);
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  async expire(key: string, ttlSeconds: number): Promise<void> {
    const k = this.key(key);
    const entry = this.space.lru.get(k);
    if (entry) this.space.lru.set(k, entry, { ttl: Math.max(1, Math.round(ttlSeconds * 1000)) });
  }

  async ttl(key: string): Promise<number> {
    const k = this.key(key);
    if (!this.space.lru.has(k)) return -2;
    const remaining = this.space.lru.getRemainingTTL(k);
    if (remaining === Infinity) return -1;
    return Math.max(0, Math.round(remaining / 1000));
  }

  async flush(): Promise<void> {
    for (const space of this.spaces.values()) space.lru.clear();
  }

  async close(): Promise<void> {}

  namespace(name: string): Cache {
    const full = this.name ? `${this.name}:${name}` : name;
    return new PrefixedMemoryCache(new MemoryCache(this.options, full, this.spaces), `${full}:`);
  }

  /** Bytes accounted in this namespace (for benchmarks and tests). */
  get sizeBytes(): number {
    return this.space.lru.calculatedSize;
  }
}

/** Keys of a namespace carry its name, so a shared backend (Redis) would keep them apart too. */
class PrefixedMemoryCache implements Cache {
  constructor(
    private readonly inner: MemoryCache,
    private readonly prefix: string,
  ) {}
  initialize() { return this.inner.initialize(); }
  heartbeat() { return this.inner.heartbeat(); }
  get<T = unknown>(key: string) { return this.inner.get<T>(this.prefix + key); }
  set(key: string, value: unknown, ttl: number) { return this.inner.set(this.prefix + key, value, ttl); }
  delete<T = unknown>(key: string) { return this.inner.delete<T>(this.prefix + key); }
  pop<T = unknown>(key: string) { return this.inner.pop<T>(this.prefix + key); }
  expire(key: string, ttl: number) { return this.inner.expire(this.prefix + key, ttl); }
  ttl(key: string) { return this.inner.ttl(this.prefix + key); }
  flush() { return this.inner.flush(); }
  close() { return this.inner.close(); }
  namespace(name: string): Cache { return this.inner.namespace(name); }
}
