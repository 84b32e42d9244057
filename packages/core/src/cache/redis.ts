// Redis cache backend (Kinto's `kinto.core.cache.redis`) through keyv and @keyv/redis,
// kept behind our Cache interface (STYLE §2: keyv's adapter contract changes between
// majors). Values are stored as plain JSON under `cache_prefix` + key, as Kinto does,
// and expire through Redis itself (PX), so `expire`/`ttl` are Redis' PEXPIRE/PTTL and
// `pop` is GETDEL: atomic across every process sharing the server.
//
// Redis unreachable: reads miss and writes are skipped (logged), so token
// verifications go upstream and authentication keeps working; `pop`, `delete` and
// `ttl` — whose answers single-use guarantees rely on — throw the 503 backend error.
import KeyvRedis, { Keyv, createClient } from '@keyv/redis';
import { BackendError, StartupError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Cache } from './index.js';

type RedisClient = ReturnType<typeof createClient>;

export interface RedisCacheOptions {
  url: string;
  prefix?: string;
  /** Seconds to wait for Redis at start-up and for each reconnection attempt. */
  connectTimeout?: number;
  log?: Logger;
}

interface Connection {
  client: RedisClient;
  keyv: Keyv;
  /** Logs the first failure of an outage only. */
  degraded: boolean;
  log?: Logger;
}

/** Redis glob characters are escaped so that `cache_prefix` is matched literally. */
function globEscape(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}

export function validateRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StartupError('KINTO_ERR_SETTING', "setting 'cache_url' is not a URL: expected redis://host:port/db");
  }
  if (!['redis:', 'rediss:', 'unix:'].includes(parsed.protocol)) {
    throw new StartupError('KINTO_ERR_SETTING', `setting 'cache_url' has scheme '${parsed.protocol.replace(/:$/, '')}': expected redis://host:port/db`);
  }
  return url;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable URL>';
  }
}

export class RedisCache implements Cache {
  private readonly connection: Connection;
  private readonly prefix: string;
  private readonly root: string;
  private readonly url: string;

  constructor(options: RedisCacheOptions);
  constructor(options: RedisCacheOptions, parent: { connection: Connection; root: string });
  constructor(options: RedisCacheOptions, parent?: { connection: Connection; root: string }) {
    this.url = options.url;
    this.prefix = options.prefix ?? '';
    this.root = parent?.root ?? this.prefix;
    this.connection = parent?.connection ?? RedisCache.connect(options);
    this.isRoot = parent === undefined;
  }

  private readonly isRoot: boolean;

  private static connect(options: RedisCacheOptions): Connection {
    const timeout = Math.round((options.connectTimeout ?? 5) * 1000);
    const client = createClient({
      url: validateRedisUrl(options.url),
      // Commands fail at once while Redis is away instead of queueing until it is back.
      disableOfflineQueue: true,
      socket: { connectTimeout: timeout, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    }) as RedisClient;
    const store = new KeyvRedis(client as never, { throwOnErrors: true, throwOnConnectError: true });
    const keyv = new Keyv({
      store,
      namespace: undefined,
      useKeyPrefix: false,
      throwOnErrors: true,
      // Plain JSON, no keyv envelope: expiry is Redis' own (PX), like Kinto's Redis cache.
      serialize: (data) => JSON.stringify(data.value ?? null),
      deserialize: <Value>(text: string) => ({ value: JSON.parse(text) as Value }),
    });
    const connection: Connection = { client, keyv, degraded: false, log: options.log };
    // Connection errors are reported by the calls that fail; these listeners keep them from crashing the process.
    client.on('error', () => undefined);
    store.on('error', () => undefined);
    keyv.on('error', () => undefined);
    return connection;
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }

  private get client(): RedisClient {
    return this.connection.client;
  }

  /** Connects at start-up: an unreachable `cache_url` stops the server with a clear message. */
  async initialize(): Promise<void> {
    if (this.client.isOpen) return;
    const connecting = this.client.connect();
    connecting.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new Error('connection timed out')), 5000);
      timer.unref();
    });
    try {
      await Promise.race([connecting, timeout]);
    } catch (error) {
      this.client.destroy();
      throw new BackendError(`cannot connect to Redis at ${redact(this.url)}: ${(error as Error).message}`, { cause: error });
    }
  }

  private fail(error: unknown): BackendError {
    return error instanceof BackendError ? error : new BackendError(`Redis unavailable: ${(error as Error).message}`, { cause: error });
  }

  /** Runs `fn`; while Redis is unreachable, logs once and answers `fallback` instead of failing. */
  private async degrade<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const result = await fn();
      this.connection.degraded = false;
      return result;
    } catch (error) {
      if (!this.connection.degraded) {
        this.connection.degraded = true;
        this.connection.log?.warn({ err: error }, 'Redis cache unavailable: reads miss and writes are skipped until it is back');
      }
      return fallback;
    }
  }

  private async strict<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.fail(error);
    }
  }

  async heartbeat(): Promise<boolean> {
    const probe = this.key(`heartbeat:${process.pid}`);
    try {
      await this.connection.keyv.set(probe, true, 5000);
      const ok = (await this.connection.keyv.get(probe)) === true;
      await this.client.del(probe);
      return ok;
    } catch {
      return false;
    }
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    return this.degrade(() => this.connection.keyv.get<T>(this.key(key)), undefined);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlSeconds * 1000));
    await this.degrade(() => this.connection.keyv.set(this.key(key), value ?? null, ttl), false);
  }

  delete<T = unknown>(key: string): Promise<T | undefined> {
    return this.pop<T>(key);
  }

  pop<T = unknown>(key: string): Promise<T | undefined> {
    return this.strict(async () => {
      const raw = await this.client.getDel(this.key(key));
      return typeof raw === 'string' ? (JSON.parse(raw) as T) : undefined;
    });
  }

  async expire(key: string, ttlSeconds: number): Promise<void> {
    await this.degrade(() => this.client.pExpire(this.key(key), Math.max(1, Math.round(ttlSeconds * 1000))), 0);
  }

  ttl(key: string): Promise<number> {
    return this.strict(async () => {
      const remaining = Number(await this.client.pTTL(this.key(key)));
      return remaining < 0 ? remaining : Math.ceil(remaining / 1000);
    });
  }

  /** Empties every key under `cache_prefix` (all namespaces); without a prefix, the whole database, as Kinto does. */
  async flush(): Promise<void> {
    await this.strict(async () => {
      if (!this.root) {
        await this.client.flushDb();
        return;
      }
      let cursor = '0';
      do {
        const page = await this.client.scan(cursor, { MATCH: `${globEscape(this.root)}*`, COUNT: 500 });
        cursor = String(page.cursor);
        if (page.keys.length) await this.client.unlink(page.keys);
      } while (cursor !== '0');
    });
  }

  /** Namespaces share the connection of the cache they come from: only closing that one closes it. */
  async close(): Promise<void> {
    if (!this.isRoot || !this.client.isOpen) return;
    await this.client.close().catch(() => this.client.destroy());
  }

  namespace(name: string): Cache {
    return new RedisCache({ url: this.url, prefix: `${this.prefix}${name}:` }, { connection: this.connection, root: this.root });
  }
}
