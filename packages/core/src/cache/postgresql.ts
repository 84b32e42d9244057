// PostgreSQL cache backend (Kinto's `kinto.core.cache.postgresql`) on Kinto's `cache`
// table. Like Kinto (`with_transaction=False`), cache calls never join the request
// transaction: a pagination token or an OAuth state is written even if the request
// fails later, and `pop` is one atomic `DELETE … RETURNING`, so of concurrent pops in
// any number of processes exactly one gets the value.
import { PostgresClient, type PostgresOptions } from '../storage/postgresql/client.js';
import { migrateSchema, tableExists, type Migratable, type MigrateOptions, type SchemaDefinition } from '../storage/postgresql/migrator.js';
import { likePattern } from '../storage/postgresql/query.js';
import { StartupError } from '../errors.js';
import type { Cache } from './index.js';

/** `kinto/core/cache/postgresql/schema.sql` (Kinto records no version for it). */
export const CACHE_SCHEMA = `
--
-- Automated script, we do not need NOTICE and WARNING
--
SET client_min_messages TO ERROR;

CREATE TABLE IF NOT EXISTS cache (
    key VARCHAR(256) PRIMARY KEY,
    value TEXT NOT NULL,
    ttl TIMESTAMP DEFAULT NULL
);

CREATE INDEX IF NOT EXISTS idx_cache_ttl ON cache(ttl);


CREATE OR REPLACE FUNCTION sec2ttl(seconds FLOAT)
RETURNS TIMESTAMP AS $$
BEGIN
    IF seconds IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN now() + (seconds || ' SECOND')::INTERVAL;
END;
$$ LANGUAGE plpgsql;
`;

export const CACHE_SCHEMA_DEFINITION: SchemaDefinition = {
  name: 'cache',
  version: 1,
  schema: CACHE_SCHEMA,
  migrations: {},
  async installedVersion(client) {
    return (await tableExists(client, 'cache')) ? 1 : null;
  },
};

/** Expired rows are deleted by reads at most this often (Kinto purges on every get). */
const PURGE_INTERVAL_MS = 60_000;

interface Shared {
  client: PostgresClient;
  lastPurge: number;
}

export interface PostgreSQLCacheOptions extends PostgresOptions {
  prefix?: string;
}

export class PostgreSQLCache implements Cache, Migratable {
  private readonly shared: Shared;
  private readonly prefix: string;
  /** `cache_prefix`: what flush() empties, in every namespace. */
  private readonly root: string;

  /** `prefix` is `cache_prefix`; namespaces add `<name>:` after it. */
  constructor(options: PostgreSQLCacheOptions);
  constructor(options: PostgreSQLCacheOptions, parent: { shared: Shared; root: string });
  constructor(options: PostgreSQLCacheOptions, parent?: { shared: Shared; root: string }) {
    // Its own pool: a request holding a transaction connection must never wait for the cache's.
    this.shared = parent?.shared ?? { client: new PostgresClient(options), lastPurge: 0 };
    this.prefix = options.prefix ?? '';
    this.root = parent?.root ?? this.prefix;
    this.isRoot = parent === undefined;
  }

  private readonly isRoot: boolean;

  private get client(): PostgresClient {
    return this.shared.client;
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }

  async initialize(): Promise<void> {
    if ((await CACHE_SCHEMA_DEFINITION.installedVersion(this.client)) === null) {
      throw new StartupError('KINTO_ERR_MIGRATION', `no Kinto cache table in PostgreSQL ${this.client.label}: run \`kinto migrate --ini <file>\``);
    }
  }

  async migrate(options?: MigrateOptions): Promise<void> {
    await migrateSchema(this.client, CACHE_SCHEMA_DEFINITION, options);
  }

  heartbeat(): Promise<boolean> {
    return this.client.probe(`INSERT INTO cache (key, value, ttl) VALUES ('__heartbeat__', 'true', sec2ttl(1)) ON CONFLICT DO NOTHING`);
  }

  private async purgeExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.shared.lastPurge < PURGE_INTERVAL_MS) return;
    this.shared.lastPurge = now;
    await this.client.direct('DELETE FROM cache WHERE ttl IS NOT NULL AND now() > ttl');
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    await this.purgeExpired();
    const result = await this.client.direct<{ value: string }>(
      'SELECT value FROM cache WHERE key = $1 AND (ttl IS NULL OR now() < ttl)',
      [this.key(key)],
    );
    const row = result.rows[0];
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.client.direct(
      `INSERT INTO cache (key, value, ttl) VALUES ($1, $2, sec2ttl($3))
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, ttl = EXCLUDED.ttl`,
      [this.key(key), JSON.stringify(value ?? null), ttlSeconds],
    );
  }

  async delete<T = unknown>(key: string): Promise<T | undefined> {
    return this.pop<T>(key);
  }

  async pop<T = unknown>(key: string): Promise<T | undefined> {
    const result = await this.client.direct<{ value: string; live: boolean }>(
      'DELETE FROM cache WHERE key = $1 RETURNING value, (ttl IS NULL OR now() < ttl) AS live',
      [this.key(key)],
    );
    const row = result.rows[0];
    return row?.live ? (JSON.parse(row.value) as T) : undefined;
  }

  async expire(key: string, ttlSeconds: number): Promise<void> {
    await this.client.direct('UPDATE cache SET ttl = sec2ttl($2) WHERE key = $1 AND (ttl IS NULL OR now() < ttl)', [this.key(key), ttlSeconds]);
  }

  async ttl(key: string): Promise<number> {
    const result = await this.client.direct<{ remaining: number | null }>(
      `SELECT EXTRACT(EPOCH FROM (ttl - now()))::float8 AS remaining FROM cache WHERE key = $1 AND (ttl IS NULL OR now() < ttl)`,
      [this.key(key)],
    );
    const row = result.rows[0];
    if (!row) return -2;
    return row.remaining === null ? -1 : Math.max(0, Math.ceil(row.remaining));
  }

  /** Removes every key of this cache (under `cache_prefix`), in every namespace. */
  async flush(): Promise<void> {
    if (this.root) await this.client.direct('DELETE FROM cache WHERE key LIKE $1', [`${likePattern(this.root, false)}%`]);
    else await this.client.direct('DELETE FROM cache');
  }

  /** Namespaces share the pool of the cache they come from: only closing that one ends it. */
  async close(): Promise<void> {
    if (this.isRoot) await this.client.end();
  }

  namespace(name: string): Cache {
    return new PostgreSQLCache(
      { url: this.client.url, setting: 'cache_url', prefix: `${this.prefix}${name}:` },
      { shared: this.shared, root: this.root },
    );
  }
}
