// Collections (kinto-api.md §3.3): lists of records inside a bucket.
import { invalidParameters, registerResource, resourceCatalog, type ResourceHost } from '@kinto-ts/core';
import { fieldErrors } from '@kinto-ts/core';

export function registerCollections(host: ResourceHost): void {
  resourceCatalog(host).inherit('collection', {
    write: { bucket: ['write'], collection: ['write'] },
    read: { bucket: ['write', 'read'], collection: ['write', 'read'] },
    'read:attributes': { bucket: ['write', 'read'], collection: ['write', 'read', 'record:create'] },
    'record:create': { bucket: ['write'], collection: ['write', 'record:create'] },
  });
  registerResource(host, {
    name: 'collection',
    pluralPath: '/buckets/:bucket_id/collections',
    parent: 'bucket',
    permissions: ['read', 'write', 'record:create'],
    validateData(data) {
      const expires = data.cache_expires;
      if (expires !== undefined && !(typeof expires === 'number' && Number.isInteger(expires))) {
        throw invalidParameters([fieldErrors.notNumber('data.cache_expires', expires)]);
      }
      return data;
    },
  });
}
