// Backend selection (settings.md §3.1): Kinto's module names and short kinto-ts
// names map to factories. Backends register here; an unknown name stops start-up.
import type { Cache } from './cache/index.js';
import { MemoryCache } from './cache/memory.js';
import { StartupError } from './errors.js';
import type { Logger } from './logger.js';
import type { Permission } from './permission/index.js';
import { MemoryPermission } from './permission/memory.js';
import type { Settings } from './settings/load.js';
import type { Storage } from './storage/index.js';
import { MemoryStorage } from './storage/memory.js';

export interface BackendContext {
  settings: Settings;
  log: Logger;
}

type Factory<T> = (context: BackendContext) => T | Promise<T>;

const storages = new Map<string, Factory<Storage>>();
const permissions = new Map<string, Factory<Permission>>();
const caches = new Map<string, Factory<Cache>>();

export function registerStorageBackend(names: string[], factory: Factory<Storage>): void {
  for (const n of names) storages.set(n, factory);
}
export function registerPermissionBackend(names: string[], factory: Factory<Permission>): void {
  for (const n of names) permissions.set(n, factory);
}
export function registerCacheBackend(names: string[], factory: Factory<Cache>): void {
  for (const n of names) caches.set(n, factory);
}

registerStorageBackend(['kinto.core.storage.memory', 'memory', '@kinto-ts/core/storage/memory'], () => new MemoryStorage());
registerPermissionBackend(['kinto.core.permission.memory', 'memory', '@kinto-ts/core/permission/memory'], () => new MemoryPermission());
registerCacheBackend(['kinto.core.cache.memory', 'memory', '@kinto-ts/core/cache/memory'], ({ settings }) =>
  new MemoryCache({ maxSizeBytes: settings.core.cache_max_size_bytes, prefix: settings.core.cache_prefix }),
);

// PostgreSQL and Redis (settings.md §3.1), loaded on first use so that memory-only
// servers never load `pg` or the Redis client.
type PoolPrefix = 'storage' | 'permission' | 'cache';
function postgresOptions({ settings, log }: BackendContext, prefix: PoolPrefix) {
  const core = settings.core;
  return {
    url: core[`${prefix}_url`],
    setting: `${prefix}_url`,
    poolSize: core[`${prefix}_pool_size`],
    maxOverflow: core[`${prefix}_max_overflow`],
    poolTimeout: core[`${prefix}_pool_timeout`],
    poolRecycle: core[`${prefix}_pool_recycle`],
    maxBacklog: core[`${prefix}_max_backlog`],
    log,
  };
}
registerStorageBackend(['kinto.core.storage.postgresql', 'postgresql', '@kinto-ts/core/storage/postgresql'], async (context) => {
  const { PostgreSQLStorage } = await import('./storage/postgresql/index.js');
  return new PostgreSQLStorage({ ...postgresOptions(context, 'storage'), readonly: context.settings.core.readonly });
});
registerPermissionBackend(['kinto.core.permission.postgresql', 'postgresql', '@kinto-ts/core/permission/postgresql'], async (context) => {
  const { PostgreSQLPermission } = await import('./permission/postgresql/index.js');
  return new PostgreSQLPermission(postgresOptions(context, 'permission'));
});
registerCacheBackend(['kinto.core.cache.postgresql', 'postgresql', '@kinto-ts/core/cache/postgresql'], async (context) => {
  const { PostgreSQLCache } = await import('./cache/postgresql.js');
  return new PostgreSQLCache({ ...postgresOptions(context, 'cache'), prefix: context.settings.core.cache_prefix });
});
registerCacheBackend(['kinto.core.cache.redis', 'redis', '@kinto-ts/core/cache/redis'], async ({ settings, log }) => {
  const { RedisCache } = await import('./cache/redis.js');
  return new RedisCache({ url: settings.core.cache_url || 'redis://127.0.0.1:6379/0', prefix: settings.core.cache_prefix, log });
});

async function build<T>(kind: string, table: Map<string, Factory<T>>, context: BackendContext): Promise<T> {
  const key = `${kind}_backend`;
  const name = String(context.settings.get(key) ?? '');
  const factory = table.get(name);
  if (!factory) {
    const where = context.settings.iniPath ? ` in ${context.settings.iniPath}` : '';
    const known = [...table.keys()].filter((k) => k.startsWith('kinto.')).join(', ');
    throw new StartupError('KINTO_ERR_SETTING', `unknown ${kind} backend '${name}' for setting '${key}'${where} (known: ${known})`);
  }
  return factory(context);
}

export interface Backends {
  storage: Storage;
  permission: Permission;
  cache: Cache;
}

export async function createBackends(context: BackendContext): Promise<Backends> {
  const [storage, permission, cache] = await Promise.all([
    build('storage', storages, context),
    build('permission', permissions, context),
    build('cache', caches, context),
  ]);
  return { storage, permission, cache };
}
