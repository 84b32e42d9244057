// Records (kinto-api.md §3.3, §2.4): free-form objects of a collection.
import { registerResource, resourceCatalog, type ResourceContext, type ResourceHost } from '@kinto-ts/core';

function seconds(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

/** Records' cache layer: per collection/bucket settings, then the collection's `cache_expires` (§2.4). */
async function recordCacheExpires(host: ResourceHost, context: ResourceContext): Promise<number | null> {
  const { bucket_id: bid, collection_id: cid } = context.ids;
  const keys = [
    `${bid}.${cid}.record_cache_expires_seconds`,
    `${bid}.record_cache_expires_seconds`,
    'record_cache_expires_seconds',
    `${bid}_${cid}_record_cache_expires_seconds`,
    `${bid}_record_cache_expires_seconds`,
  ];
  let value: number | null = null;
  for (const key of keys) {
    value = seconds(host.settings.get(key));
    if (value !== null) break;
  }
  const collection = await context.ancestor('collection');
  const own = collection?.cache_expires;
  if (typeof own === 'number' && Number.isInteger(own)) value = Math.max(value ?? -1, own);
  return value;
}

export function registerRecords(host: ResourceHost): void {
  resourceCatalog(host).inherit('record', {
    write: { bucket: ['write'], collection: ['write'], record: ['write'] },
    read: { bucket: ['write', 'read'], collection: ['write', 'read'], record: ['write', 'read'] },
  });
  registerResource(host, {
    name: 'record',
    pluralPath: '/buckets/:bucket_id/collections/:collection_id/records',
    parent: 'collection',
    permissions: ['read', 'write'],
    // Writes under a missing collection are 404 for anyone (kinto-api.md §7.6).
    requireParent: { beforeAuthorization: true },
    cacheExpires: (context) => recordCacheExpires(host, context),
  });
}
