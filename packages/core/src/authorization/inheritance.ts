// Bound permissions (kinto-api.md §7.2): which (object URI, permission) pairs grant a
// permission on an object or on a list, following the catalog's inheritance tree.
import type { ResourceCatalog } from '../resource/catalog.js';

/** An (object URI, permission) pair. */
export type BoundPermission = [uri: string, permission: string];

/** What a permission is asked on: an object, or the list of a resource (plural endpoint). */
export interface PermissionTarget {
  kind: 'object' | 'plural';
  resource: string;
  /** URL ids (`bucket_id`, `collection_id`, and `<resource>_id` for objects; `*` matches any object). */
  ids: Readonly<Record<string, string>>;
}

/**
 * Every pair that grants `permission` on the target, longest URI first.
 * On an object, `<perm>:attributes` entries win (the `*:create` holders may read
 * the attributes of the parent). A list's permissions are those of the object
 * holding it (reading `/buckets/b/collections` is reading bucket `b`).
 */
export function boundPermissions(catalog: ResourceCatalog, target: PermissionTarget, permission: string): BoundPermission[] {
  let treeOwner = target.resource;
  let attributes = `${permission}:attributes`;
  if (target.kind === 'plural') {
    const parent = catalog.get(target.resource)?.parent;
    if (!parent) return [];
    treeOwner = parent;
    attributes = permission;
  }
  const tree = catalog.tree(treeOwner);
  const granters = tree[attributes] ?? tree[permission] ?? {};
  const out: BoundPermission[] = [];
  for (const [related, permissions] of Object.entries(granters)) {
    const uri = catalog.objectUri(related, target.ids);
    if (uri === null) continue;
    for (const p of permissions) out.push([uri, p]);
  }
  return out.sort((a, b) => b[0].length - a[0].length);
}

/**
 * The permissions implied on the same object by each permission (Kinto's descending
 * tree, used by `/permissions`): a bucket `write` also lists `read`, `read:attributes`,
 * `collection:create` and `group:create` — never permissions on children.
 */
export function impliedPermissions(catalog: ResourceCatalog, resourceName: string, granted: string): string[] {
  const out = new Set<string>([granted]);
  for (const [obtained, granters] of Object.entries(catalog.tree(resourceName))) {
    if (granters[resourceName]?.includes(granted)) out.add(obtained);
  }
  return [...out];
}
