// The permission each resource operation needs (kinto-api.md §7.5, §7.6; Kinto's
// RouteFactory + AuthorizationPolicy.permits): read/write on the object or the list,
// `<resource>:create` on the parent for creations, shared objects on lists.
import { boundPermissions, type BoundPermission, type PermissionTarget } from '../authorization/inheritance.js';
import { denied, isGranted, sharedObjectIds } from '../authorization/policy.js';
import type { RequestResource } from './context.js';

function target(context: RequestResource, kind: 'object' | 'plural', objectId?: string): PermissionTarget {
  const ids = { ...context.ids };
  if (objectId !== undefined) ids[`${context.definition.name}_id`] = objectId;
  return { kind, resource: context.definition.name, ids };
}

async function granted(context: RequestResource, bound: BoundPermission[], unbound: string): Promise<boolean> {
  // Without any object granting it (root lists), only the settings can: `bucket_create_principals`.
  const pairs: BoundPermission[] = bound.length > 0 ? bound : [['', unbound]];
  return isGranted(
    {
      settings: context.host.settings,
      permission: context.host.permission,
      resource: context.definition.name,
      principals: context.identity.principals,
    },
    pairs,
  );
}

function refuse(context: RequestResource): never {
  throw denied(context.identity, context.host.challenges());
}

/** Permission on an object (`read`, `write`); throws 401/403. */
export async function authorizeObject(context: RequestResource, permission: 'read' | 'write', objectId: string): Promise<void> {
  const { catalog } = context.registered;
  if (!(await granted(context, boundPermissions(catalog, target(context, 'object', objectId), permission), permission))) refuse(context);
}

/** Whether the requester may read the parent (PATCH/DELETE/GET of an unknown object → 404 rather than 403). */
export async function authorizeParentRead(context: RequestResource): Promise<void> {
  const { catalog } = context.registered;
  if (!(await granted(context, boundPermissions(catalog, target(context, 'plural'), 'read'), 'read'))) refuse(context);
}

/** `<resource>:create` on the parent (POST, PUT of a new object, PUT with `If-None-Match: *`). */
export async function authorizeCreate(context: RequestResource): Promise<void> {
  const { catalog } = context.registered;
  const permission = `${context.definition.name}:create`;
  if (!(await granted(context, boundPermissions(catalog, target(context, 'plural'), permission), 'create'))) refuse(context);
}

/**
 * A list operation (`read` for GET/HEAD, `write` for DELETE). Returns null when the
 * whole list is allowed, else the ids of the objects shared with the requester —
 * empty when they may only create in this list (kinto-api.md §7.5).
 */
export async function authorizeList(context: RequestResource, permission: 'read' | 'write'): Promise<string[] | null> {
  const { catalog, definition } = context.registered;
  if (await granted(context, boundPermissions(catalog, target(context, 'plural'), permission), permission)) return null;
  if (!context.invalidParent) {
    const objectLevel = boundPermissions(catalog, target(context, 'object', '*'), permission);
    const shared = await sharedObjectIds(context.host.permission, context.identity.principals, context.pluralUri, objectLevel);
    if (shared.length > 0) return shared;
  }
  const parentUri = definition.parent ? catalog.objectUri(definition.parent, context.ids) : null;
  const create: BoundPermission[] = parentUri ? [[parentUri, `${definition.name}:create`]] : [['', 'create']];
  if (await granted(context, create, 'create')) return [];
  refuse(context);
}

/**
 * The object's ACL is disclosed only to principals directly in its `write` ACE (kinto-api.md §2.2).
 * Kinto counts the resource's writer principal too (`model.current_principal`): an account
 * created anonymously sees its own `write: ["account:<id>"]`.
 */
export function canSeePermissions(context: RequestResource, writers: readonly string[] | undefined): boolean {
  if (!writers) return false;
  const writer = context.definition.writerPrincipal?.(context);
  return writers.some((p) => p === writer || context.identity.principals.includes(p));
}
