// PATCH with `Content-Type: application/merge-patch+json` (kinto-api.md §4.7 b):
// RFC 7396 on `data` (a null removes a key at any depth), and on `permissions`
// a null removes the whole permission while a list replaces the list.
import { invalidParameter } from '../errors.js';
import type { Acl } from '../permission/index.js';
import { pyStr } from '../schema/python-repr.js';
import type { PatchOptions, PatchTarget } from './json-patch.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * RFC 7396 MergePatch(target, patch). A non-object member of the target that
 * receives an object is replaced by the merge of that object into `{}`, as the
 * RFC says (upstream Kinto answers 500 there, kinto-api.md §11.4).
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = {};
  if (isObject(target)) for (const [k, v] of Object.entries(target)) setOwn(result, k, v);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, mergePatch(Object.prototype.hasOwnProperty.call(result, key) ? result[key] : undefined, value));
  }
  return result;
}

/**
 * Applies a validated merge-patch envelope `{data?, permissions?}` to an object and
 * returns its new data and its whole new ACL (every permission of the resource;
 * cleared ones as empty lists).
 */
export function applyMergePatch(
  current: PatchTarget,
  body: { data?: unknown; permissions?: unknown },
  options: PatchOptions,
): PatchTarget {
  const data = body.data === undefined ? structuredClone(current.data) : (mergePatch(current.data, body.data) as Record<string, unknown>);
  if (!isObject(data)) throw invalidParameter('body', 'data', `"${pyStr(body.data)}" is not a mapping type: Does not implement dict-like functionality.`);
  const acl: Acl = {};
  for (const name of options.permissions) acl[name] = [...(current.permissions[name] ?? [])];
  if (body.permissions !== undefined) {
    if (!isObject(body.permissions)) {
      throw invalidParameter('body', 'permissions', `"${pyStr(body.permissions)}" is not a mapping type: Does not implement dict-like functionality.`);
    }
    for (const [name, principals] of Object.entries(body.permissions)) {
      if (!options.permissions.includes(name)) {
        throw invalidParameter('body', 'permissions', `"${name}" is not one of ${options.permissions.join(', ')}`);
      }
      if (principals === null) acl[name] = [];
      else if (Array.isArray(principals) && principals.every((p) => typeof p === 'string')) acl[name] = [...new Set(principals)];
      else throw invalidParameter('body', `permissions.${name}`, `"${pyStr(principals)}" is not iterable`);
    }
  }
  return { data, permissions: acl };
}
