// Client cache headers of resource reads (kinto-api.md §2.4): only anonymous reads
// may be cached, for `<resource>_cache_expires_seconds`, or what the resource
// decides (records: per bucket/collection settings and the collection's `cache_expires`).
import type { FastifyReply } from 'fastify';
import type { RequestResource } from './context.js';

function expiresIn(reply: FastifyReply, seconds: number): void {
  if (seconds > 0) {
    reply.header('cache-control', `max-age=${seconds}`);
    reply.header('expires', new Date(Date.now() + seconds * 1000).toUTCString());
  } else {
    reply.header('cache-control', 'max-age=0, must-revalidate, no-cache, no-store');
    reply.header('pragma', 'no-cache');
    reply.header('expires', new Date().toUTCString());
  }
}

function noCache(reply: FastifyReply): void {
  reply.header('cache-control', 'no-cache, no-store');
}

export async function applyCacheHeaders(context: RequestResource, reply: FastifyReply): Promise<void> {
  if (context.identity.userId !== null) return noCache(reply);
  if (context.definition.cacheExpires) {
    const value = await context.definition.cacheExpires(context);
    if (value !== null && value >= 0) return expiresIn(reply, value);
  }
  const setting = context.host.settings.get(`${context.definition.name}_cache_expires_seconds`);
  const seconds = typeof setting === 'number' ? setting : Number(setting);
  if (setting !== undefined && setting !== null && setting !== '' && Number.isFinite(seconds) && seconds > 0) {
    return expiresIn(reply, Math.floor(seconds));
  }
  noCache(reply);
}
