// Storing objects with their ACL (Kinto's ShareableModel): the writer joins the
// `write` ACE (kinto-api.md §7.4), deletions drop ACLs and cascade to children
// (§8), and every change is stacked as a resource event (settings.md §4.4).
import { EVERYONE } from '../authentication/multiauth.js';
import type { Acl } from '../permission/index.js';
import { conflict } from '../errors.js';
import { ObjectNotFoundError, UnicityError, type KintoObject } from '../storage/index.js';
import type { RequestResource } from './context.js';
import type { ObjectChange, ResourceContext, WriteAction } from './definition.js';
import { notifyResourceEvent } from './events.js';

/** Non-integer client timestamps are dropped silently (kinto-api.md §3.2). */
export function cleanTimestamp(object: Record<string, unknown>): void {
  const value = object.last_modified;
  if (value !== undefined && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) delete object.last_modified;
}

/** Runs the validators registered for the resource (JSON schemas) on the final object. */
export async function runValidators(
  context: RequestResource,
  object: Record<string, unknown> & { id: string },
  old: KintoObject | null,
): Promise<Record<string, unknown> & { id: string }> {
  let current = object;
  for (const validate of context.registered.catalog.validators(context.definition.name)) {
    const result = await validate(context, current, old);
    if (result) current = { ...result, id: current.id };
  }
  return current;
}

export interface AclChange {
  /** Permissions given in the request (validated). */
  permissions?: Acl;
  /** PUT and JSON-Patch replace the whole ACL; merge-style PATCH only the listed permissions. */
  replace: boolean;
}

/** Applies an ACL change and adds the writer to `write` (unless `explicit_permissions = false`). */
export async function writeAcl(context: ResourceContext, uri: string, change: AclChange): Promise<Acl> {
  const { permission, settings } = context.host;
  const given = change.permissions ?? {};
  if (Object.keys(given).length > 0) {
    const acl: Acl = { ...given };
    if (change.replace) for (const p of context.definition.permissions) acl[p] ??= [];
    await permission.replaceObjectPermissions(uri, acl);
  }
  if (settings.core.explicit_permissions) {
    const writer = context.definition.writerPrincipal?.(context) ?? context.identity.userId ?? EVERYONE;
    await permission.addPrincipalToAce(uri, 'write', writer);
  }
  return permission.getObjectPermissions(uri);
}

/** Stacks the event of changes on one list. */
export async function notifyChanges(context: ResourceContext, action: WriteAction, changes: ObjectChange[]): Promise<void> {
  if (changes.length === 0) return;
  const timestamp = await context.host.storage.resourceTimestamp(context.definition.name, context.parentId);
  notifyResourceEvent(context.request, {
    resourceName: context.definition.name,
    parentId: context.parentId,
    action,
    timestamp,
    ids: context.ids,
    userId: context.identity.userId,
    impacted: changes.map((c) => (c.old ? { new: c.new, old: c.old } : { new: c.new })),
  });
}

/** Creates or replaces an object and its ACL; runs the resource's side effects; stacks the event. */
export async function saveObject(
  context: RequestResource,
  object: Record<string, unknown> & { id: string },
  old: KintoObject | null,
  acl: AclChange,
): Promise<{ object: KintoObject; acl: Acl }> {
  const { storage } = context.host;
  const name = context.definition.name;
  cleanTimestamp(object);
  let stored: KintoObject;
  try {
    stored = old ? await storage.update(name, context.parentId, object.id, object) : await storage.create(name, context.parentId, object);
  } catch (error) {
    // Another request created it since we looked: the client retries (kinto-api.md §11.3).
    if (error instanceof UnicityError) throw conflict();
    throw error;
  }
  const finalAcl = await writeAcl(context, context.objectUri(stored.id), acl);
  const change: ObjectChange = old ? { action: 'update', new: stored, old } : { action: 'create', new: stored };
  await context.definition.afterWrite?.(context, [change]);
  await notifyChanges(context, change.action, [change]);
  return { object: stored, acl: finalAcl };
}

/** Removes everything stored below deleted objects: child lists, their tombstones and ACLs (kinto-api.md §8). */
export async function cascadeDelete(context: RequestResource, deleted: KintoObject[]): Promise<void> {
  const { storage, permission } = context.host;
  const descendants = context.registered.catalog.descendants(context.definition.name);
  for (const object of deleted) {
    const uri = context.objectUri(object.id);
    for (const child of descendants) {
      for (const parentId of [uri, `${uri}/*`]) {
        await storage.deleteAll(child.name, parentId, { withDeleted: false });
        await storage.purgeDeleted(child.name, parentId);
      }
    }
    await permission.deleteObjectPermissions(uri, `${uri}/*`);
  }
}

/** Deletes objects (tombstones kept), their ACLs and children; runs side effects; stacks the event. */
export async function deleteObjects(
  context: RequestResource,
  objects: KintoObject[],
  lastModified?: number,
): Promise<KintoObject[]> {
  const { storage } = context.host;
  const tombstones: KintoObject[] = [];
  const changes: ObjectChange[] = [];
  for (const object of objects) {
    const parentId = context.definition.objectParentId?.(object) ?? context.parentId;
    let tombstone: KintoObject;
    try {
      tombstone = await storage.delete(context.definition.name, parentId, object.id, { lastModified });
    } catch (error) {
      // Deleted by a concurrent request since it was listed: nothing left to delete.
      if (error instanceof ObjectNotFoundError) continue;
      throw error;
    }
    tombstones.push(tombstone);
    changes.push({ action: 'delete', new: tombstone, old: object });
  }
  await context.definition.afterWrite?.(context, changes);
  await cascadeDelete(context, changes.map((c) => c.old!));
  await notifyChanges(context, 'delete', changes);
  return tombstones;
}
