// Recording (kinto-api.md B3): one history entry per object created, updated or
// deleted, written inside the request's transaction by a `ResourceChanged`
// subscriber, with the object's data and ACL after the change, and an ACL of its own
// computed once, at recording time, from who could read the bucket, the collection
// and the object then.
import { randomUUID } from 'node:crypto';
import {
  COMPARISON,
  type Filter,
  type Logger,
  type Permission,
  type ResourceChangedEvent,
  type Storage,
} from '@kinto-ts/core';
import type { HistorySettings } from './settings.js';

/** The resources whose changes are recorded (history entries themselves are not). */
export const TRACKED_RESOURCES = ['bucket', 'collection', 'group', 'record'];

export interface RecorderOptions {
  storage: Storage;
  permission: Permission;
  settings: Readonly<HistorySettings>;
  explicitPermissions: boolean;
  log: Logger;
}

/** `datetime.now(timezone.utc).isoformat()`: microseconds and a `+00:00` offset. */
export function isoDate(): string {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const millis = Math.floor(micros / 1000);
  const base = new Date(millis).toISOString().slice(0, 19);
  return `${base}.${String(micros % 1_000_000).padStart(6, '0')}+00:00`;
}

/** The object URI of a tracked object, from the event ids and its own id. */
export function objectUri(resourceName: string, ids: Record<string, unknown>, id: string): string | null {
  const bucket = resourceName === 'bucket' ? id : ids.bucket_id;
  if (typeof bucket !== 'string') return null;
  switch (resourceName) {
    case 'bucket':
      return `/buckets/${bucket}`;
    case 'collection':
      return `/buckets/${bucket}/collections/${id}`;
    case 'group':
      return `/buckets/${bucket}/groups/${id}`;
    case 'record':
      return typeof ids.collection_id === 'string' ? `/buckets/${bucket}/collections/${ids.collection_id}/records/${id}` : null;
    default:
      return null;
  }
}

export function historyParentId(bucketId: string): string {
  return `/buckets/${bucketId}`;
}

/** Removes every entry of a bucket's history and their ACLs. */
export async function purgeBucketHistory(storage: Storage, permission: Permission, bucketId: string): Promise<void> {
  const parent = historyParentId(bucketId);
  await storage.deleteAll('history', parent, { withDeleted: false });
  await storage.purgeDeleted('history', parent);
  await permission.deleteObjectPermissions(`${parent}/history/*`);
}

interface Target {
  uri: string;
  bucketId: string;
  collectionUri: string | null;
  object: ResourceChangedEvent['impacted_objects'][number]['new'];
}

export function historyRecorder(options: RecorderOptions) {
  const { storage, permission, settings, log } = options;
  const excluded = new Set(settings['history.exclude_resources']);
  const excludedUsers = new Set(settings['history.exclude_user_ids']);

  return async (event: ResourceChangedEvent): Promise<void> => {
    const { payload } = event;
    const resourceName = payload.resource_name;
    if (!TRACKED_RESOURCES.includes(resourceName)) return;
    if (payload.user_id !== null && excludedUsers.has(payload.user_id)) return;

    const targets: Target[] = [];
    for (const impacted of event.impacted_objects) {
      const object = impacted.new;
      const bucketId = resourceName === 'bucket' ? object.id : payload.bucket_id;
      if (typeof bucketId !== 'string') continue;
      if (resourceName === 'bucket' && payload.action === 'delete') {
        // The bucket's history goes with it (kinto-api.md §8): no entry survives it,
        // not even the one for its deletion.
        await purgeBucketHistory(storage, permission, bucketId);
        continue;
      }
      const uri = objectUri(resourceName, payload, object.id);
      if (uri === null) continue;
      const collectionId = resourceName === 'collection' ? object.id : payload.collection_id;
      const collectionUri = typeof collectionId === 'string' ? `/buckets/${bucketId}/collections/${collectionId}` : null;
      if (excluded.has(`/buckets/${bucketId}`) || (collectionUri && excluded.has(collectionUri)) || excluded.has(uri)) continue;
      targets.push({ uri, bucketId, collectionUri, object });
    }
    if (targets.length === 0) return;

    const uris = new Set<string>();
    for (const t of targets) {
      uris.add(t.uri);
      uris.add(`/buckets/${t.bucketId}`);
      if (t.collectionUri) uris.add(t.collectionUri);
    }
    const list = [...uris];
    const acls = await permission.getObjectsPermissions(list);
    const aclOf = new Map(list.map((uri, i) => [uri, acls[i] ?? {}]));
    const readersOf = (uri: string | null): string[] => {
      if (uri === null) return [];
      const acl = aclOf.get(uri) ?? {};
      return [...(acl.read ?? []), ...(acl.write ?? [])];
    };

    for (const target of targets) {
      const ids: Record<string, string> = {};
      for (const [key, value] of Object.entries(payload)) {
        // Non-bucket entries carry no `bucket_id` (kinto-api.md B3).
        if (key.endsWith('_id') && key !== 'user_id' && key !== 'bucket_id' && typeof value === 'string') ids[key] = value;
      }
      ids[`${resourceName}_id`] = target.object.id;
      const permissions = Object.fromEntries(Object.entries(aclOf.get(target.uri) ?? {}).map(([k, v]) => [k, [...v]]));
      const parentId = historyParentId(target.bucketId);
      const entry = await storage.create('history', parentId, {
        id: randomUUID(),
        action: payload.action,
        resource_name: resourceName,
        uri: target.uri,
        user_id: payload.user_id,
        date: isoDate(),
        ...ids,
        target: { data: target.object, permissions },
      });
      await trim(parentId, resourceName, payload.user_id);
      // Without explicit permissions, entries rely on inheritance only (Kinto #893).
      if (!options.explicitPermissions) continue;
      const readers = new Set([
        ...readersOf(`/buckets/${target.bucketId}`),
        ...readersOf(target.collectionUri !== target.uri ? target.collectionUri : null),
        ...readersOf(target.uri),
      ]);
      if (readers.size > 0) await permission.replaceObjectPermissions(`${parentId}/history/${entry.id}`, { read: [...readers] });
    }
  };

  /** Keeps the newest `auto_trim_max_count` entries per resource name (and per user when restricted). */
  async function trim(parentId: string, resourceName: string, userId: string | null): Promise<void> {
    const max = settings['history.auto_trim_max_count'];
    if (max <= 0) return;
    const users = settings['history.auto_trim_user_ids'];
    if (users.length > 0 && (userId === null || !users.includes(userId))) return;
    const filters: Filter[] = [{ field: 'resource_name', operator: COMPARISON.EQ, value: resourceName }];
    if (users.length > 0) filters.push({ field: 'user_id', operator: COMPARISON.EQ, value: userId });
    const threshold = settings['history.auto_trim_threshold'];
    const newest = await storage.listAll('history', parentId, {
      filters,
      sorting: [{ field: 'last_modified', direction: -1 }],
      limit: max + threshold + 1,
    });
    if (newest.length <= max + threshold) return;
    const oldestKept = newest[max - 1]!.last_modified;
    const deleted = await storage.deleteAll('history', parentId, {
      filters: [...filters, { field: 'last_modified', operator: COMPARISON.LT, value: oldestKept }],
      withDeleted: false,
    });
    if (deleted.length > 0) {
      await permission.deleteObjectPermissions(...deleted.map((d) => `${parentId}/history/${d.id}`));
      log.info({ bucket: parentId, resource: resourceName, count: deleted.length }, 'history: trimmed old entries');
    }
  }
}
