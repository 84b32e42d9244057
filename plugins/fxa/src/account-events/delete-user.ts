// What a `delete` account event removes (fxa.md §10.3 step 3): the default bucket
// of every user id the account may have had — one per FxA policy name and per
// client — with everything under it, its tombstones and its permissions, in one
// transaction. Data outside default buckets is left alone, as upstream documents.
import { ObjectNotFoundError, runInTransaction, type Logger, type Permission, type Storage } from '@kinto-ts/core';
import { defaultBucketId } from '@kinto-ts/server';

export interface DeletionTarget {
  storage: Storage;
  permission: Permission;
  /** Resource names that may live under a bucket (collection, group, record, history…). */
  resourceNames: readonly string[];
  /** `default_bucket_hmac_secret`: the very secret the default_bucket plugin uses (kinto-api.md B1). */
  defaultBucketSecret: string;
  log: Logger;
}

/** `{prefix}{uid}` and `{prefix}{uid}-{client}` for every prefix and named client (fxa.md §10.3). */
export function userIdsOf(uid: string, prefixes: readonly string[], clients: readonly string[]): string[] {
  const out: string[] = [];
  for (const prefix of prefixes.length ? prefixes : ['']) {
    out.push(`${prefix}${uid}`);
    for (const client of clients) out.push(`${prefix}${uid}-${client}`);
  }
  return out;
}

async function deleteBucket(target: DeletionTarget, bucketId: string): Promise<void> {
  const { storage, permission } = target;
  const uri = `/buckets/${bucketId}`;
  target.log.info(`Deleting bucket '${uri}'`);
  for (const name of target.resourceNames) {
    if (name === 'bucket') continue;
    for (const parentId of [uri, `${uri}/*`]) {
      await storage.deleteAll(name, parentId, { withDeleted: false });
      await storage.purgeDeleted(name, parentId);
    }
  }
  // Upstream leaves the bucket object; kinto-ts removes it and its tombstone too.
  try {
    await storage.delete('bucket', '', bucketId, { withDeleted: false });
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
  }
  const tombstones = await storage.listAll('bucket', '', {
    filters: [{ field: 'id', operator: 'eq', value: bucketId }],
    includeDeleted: true,
  });
  if (tombstones.some((t) => t.deleted)) {
    // The storage interface purges tombstones per list only: revive then delete without a trace.
    await storage.update('bucket', '', bucketId, {});
    await storage.delete('bucket', '', bucketId, { withDeleted: false });
  }
  await permission.deleteObjectPermissions(uri, `${uri}/*`);
}

/** Deletes the default buckets of these user ids, all or nothing. */
export async function deleteDefaultBuckets(target: DeletionTarget, userIds: readonly string[]): Promise<void> {
  const bucketIds = [...new Set(userIds.map((id) => defaultBucketId(target.defaultBucketSecret, id)))];
  await runInTransaction(target, async () => {
    for (const id of bucketIds) await deleteBucket(target, id);
  });
}
