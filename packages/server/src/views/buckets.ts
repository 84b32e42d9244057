// Buckets (kinto-api.md §3.3, §7, §8): the root lists of Kinto's resources.
import { registerResource, resourceCatalog, type ResourceHost } from '@kinto-ts/core';

export const BUCKET_PERMISSIONS = ['read', 'write', 'collection:create', 'group:create'] as const;

export function registerBuckets(host: ResourceHost): void {
  // kinto/authorization.py PERMISSIONS_INHERITANCE_TREE (kinto-api.md §7.2).
  resourceCatalog(host).inherit('bucket', {
    write: { bucket: ['write'] },
    read: { bucket: ['write', 'read'] },
    'read:attributes': { bucket: ['write', 'read', 'collection:create', 'group:create'] },
    'group:create': { bucket: ['write', 'group:create'] },
    'collection:create': { bucket: ['write', 'collection:create'] },
  });
  registerResource(host, {
    name: 'bucket',
    pluralPath: '/buckets',
    permissions: BUCKET_PERMISSIONS,
    async afterWrite(context, changes) {
      // The groups of a deleted bucket stop being principals of their members (§8).
      for (const change of changes) {
        if (change.action !== 'delete') continue;
        const bucketUri = context.objectUri(change.new.id);
        const groups = await host.storage.listAll('group', bucketUri);
        for (const group of groups) await host.permission.removePrincipal(`${bucketUri}/groups/${group.id}`);
      }
    },
  });
}
