// `GET /buckets/{bid}/snapshot/collections/{cid}@{timestamp}` (kinto-api.md B3): the
// records of a collection as they were at `timestamp`, rebuilt from the current
// records and tombstones plus the history entries of those changed since.
import {
  COMPARISON,
  denied,
  invalidParameter,
  urlNotFound,
  type KintoObject,
  type PluginApi,
  type ServiceDefinition,
} from '@kinto-ts/core';
import type { FastifyRequest } from 'fastify';
import { historyParentId } from './listener.js';

const TIMESTAMP = /^\d+$/;

function parseSnapshotParam(value: string): { collectionId: string; timestamp: string } {
  const at = value.lastIndexOf('@');
  // Without `@` the URL is not the snapshot route at all.
  if (at < 0) throw urlNotFound();
  return { collectionId: value.slice(0, at), timestamp: value.slice(at + 1) };
}

/** Records of `/buckets/{bid}/collections/{cid}` at `at`, newest first. */
export async function snapshotRecords(api: Pick<PluginApi, 'storage' | 'settings'>, bucketId: string, collectionId: string, at: number): Promise<KintoObject[]> {
  const { storage } = api;
  const limit = api.settings.core.storage_max_fetch_size;
  const collectionUri = `/buckets/${bucketId}/collections/${collectionId}`;
  const current = await storage.listAll('record', collectionUri, { includeDeleted: true, limit });
  const result = new Map<string, KintoObject>();
  // Objects untouched since `at` are as they were; the others come from history.
  const settled = new Set<string>();
  for (const object of current) {
    if (object.last_modified > at) continue;
    settled.add(object.id);
    if (!object.deleted) result.set(object.id, object);
  }
  const entries = await storage.listAll('history', historyParentId(bucketId), {
    filters: [
      { field: 'resource_name', operator: COMPARISON.EQ, value: 'record' },
      { field: 'collection_id', operator: COMPARISON.EQ, value: collectionId },
      { field: 'target.data.last_modified', operator: COMPARISON.MAX, value: at },
    ],
    sorting: [{ field: 'target.data.last_modified', direction: -1 }],
    limit,
  });
  for (const entry of entries) {
    const data = (entry.target as { data?: unknown } | undefined)?.data;
    if (!data || typeof data !== 'object') continue;
    const version = data as KintoObject;
    if (typeof version.id !== 'string' || settled.has(version.id)) continue;
    // The most recent version at `at` wins; a deletion then means it did not exist.
    settled.add(version.id);
    if (entry.action !== 'delete' && !version.deleted) result.set(version.id, version);
  }
  return [...result.values()].sort((a, b) => b.last_modified - a.last_modified);
}

export function snapshotService(api: PluginApi): ServiceDefinition {
  return {
    name: 'collection-snapshot',
    path: '/buckets/:bucket_id/snapshot/collections/:snapshot',
    checkAccept: true,
    methods: {
      GET: async (request: FastifyRequest) => {
        const params = request.params as { bucket_id: string; snapshot: string };
        const { collectionId, timestamp } = parseSnapshotParam(params.snapshot);
        const bucketUri = `/buckets/${params.bucket_id}`;
        const collectionUri = `${bucketUri}/collections/${collectionId}`;
        // Only the permission backend is consulted, not the `*_principals` settings (B3).
        const identity = await api.authenticate(request);
        const holders = await api.permission.getAuthorizedPrincipals([
          [bucketUri, 'read'],
          [bucketUri, 'write'],
          [collectionUri, 'read'],
          [collectionUri, 'write'],
        ]);
        if (!holders.some((p) => identity.principals.includes(p))) throw denied(identity, api.challenges());
        if (!TIMESTAMP.test(timestamp)) throw invalidParameter('path', 'timestamp', `Invalid timestamp '${timestamp}'`);
        return { data: await snapshotRecords(api, params.bucket_id, collectionId, Number(timestamp)) };
      },
    },
  };
}
