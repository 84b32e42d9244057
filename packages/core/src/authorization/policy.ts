// Kinto's authorization policy (kinto-api.md §7.5, §7.6): a permission is granted by
// a `<resource>_<perm>_principals` setting or by an ACE of the permission backend
// on one of the bound (object, permission) pairs; refusals are 401 for anonymous
// requests and 403 otherwise.
import { forbidden, unauthorized, type KintoError } from '../errors.js';
import type { Identity } from '../http/context.js';
import type { Permission } from '../permission/index.js';
import type { Settings } from '../settings/load.js';
import { asList } from '../settings/values.js';
import type { BoundPermission } from './inheritance.js';

/**
 * The setting consulted for a bound permission during a request on `resource`:
 * `<resource>_create_principals` for `<resource>:create`, `<resource>_<perm>_principals`
 * otherwise — so `bucket_read_principals` applies to bucket requests only (§7.5).
 */
export function principalsSetting(resource: string, permission: string): string {
  const own = `${resource}:`;
  const name = permission.startsWith(own) ? permission.slice(own.length) : permission;
  return `${resource}_${name}_principals`;
}

// Settings values are fixed strings or lists: their parsed principals are kept per
// value (not per key, so a changed setting is simply a new entry). Several pairs
// are checked per request, each used to re-split its setting (docs/performance.md).
const parsedLists = new Map<unknown, readonly string[]>();
const EMPTY: readonly string[] = Object.freeze([]);

export function settingPrincipals(settings: Settings, key: string): readonly string[] {
  const value = settings.get(key);
  if (value === undefined || value === null || value === '') return EMPTY;
  if (typeof value !== 'string') return asList(value);
  let list = parsedLists.get(value);
  if (!list) {
    list = Object.freeze(asList(value));
    // Settings hold a bounded set of strings; the bound only guards odd callers.
    if (parsedLists.size < 1000) parsedLists.set(value, list);
  }
  return list;
}

export interface PermissionCheck {
  settings: Settings;
  permission: Permission;
  /** The resource of the request (selects the `*_principals` settings). */
  resource: string;
  principals: readonly string[];
}

/** True when one of the pairs is granted to the principals, by settings or by the backend. */
export async function isGranted(check: PermissionCheck, bound: BoundPermission[]): Promise<boolean> {
  const { principals } = check;
  for (const [, permission] of bound) {
    const allowed = settingPrincipals(check.settings, principalsSetting(check.resource, permission));
    if (allowed.length > 0 && allowed.some((p) => principals.includes(p))) return true;
  }
  const real = bound.filter(([uri]) => uri !== '');
  if (real.length === 0) return false;
  const holders = await check.permission.getAuthorizedPrincipals(real);
  return holders.some((p) => principals.includes(p));
}

/**
 * Ids of the objects of a list on which the principals hold one of the pairs
 * (`pattern` ends with `/*`). Results are re-checked against the list URI so that
 * a backend treating `*` loosely can never widen what is shared.
 */
export async function sharedObjectIds(
  permission: Permission,
  principals: readonly string[],
  pluralUri: string,
  bound: BoundPermission[],
): Promise<string[]> {
  const pattern = `${pluralUri}/*`;
  const own = bound.filter(([uri]) => uri === pattern);
  if (own.length === 0) return [];
  const accessible = await permission.getAccessibleObjects([...principals], own, { withChildren: false });
  const prefix = `${pluralUri}/`;
  const ids: string[] = [];
  for (const uri of Object.keys(accessible)) {
    if (!uri.startsWith(prefix)) continue;
    const id = uri.slice(prefix.length);
    if (id !== '' && !id.includes('/') && !id.includes('*')) ids.push(id);
  }
  return ids;
}

/** The refusal for this identity: 401 with the challenges when anonymous, else 403. */
export function denied(identity: Identity, challenges: string[]): KintoError {
  return identity.userId === null ? unauthorized(challenges) : forbidden();
}
