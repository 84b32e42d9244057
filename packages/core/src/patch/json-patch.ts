// PATCH with `Content-Type: application/json-patch+json` (kinto-api.md §4.7 c): the
// body is an RFC 6902 operation list applied to `{"data": …, "permissions": …}`,
// where each permission is a set of principals addressed as
// `/permissions/<perm>/<principal>` (Kinto's `apply_json_patch` in kinto/core/utils.py).
import { invalidParameters, type ValidationDetail } from '../errors.js';
import type { Acl } from '../permission/index.js';
import { pyRepr, pyStr } from '../schema/python-repr.js';
import { applyOperations, JSON_PATCH_OPS, JsonPatchFailure, type JsonPatchOp, type JsonPatchOperation } from './rfc6902.js';

export type { JsonPatchOperation } from './rfc6902.js';

/**
 * kinto-ts: at most this many operations per patch (upstream has no limit); a
 * longer list is refused with 400 before anything is applied (docs/api.md).
 */
export const JSON_PATCH_MAX_OPERATIONS = 1000;

/** An object as the PATCH dialects see it: its data (with `id`, `last_modified`) and its ACL. */
export interface PatchTarget {
  data: Record<string, unknown>;
  permissions: Acl;
}

export interface PatchOptions {
  /** The permission names of the resource (kinto-api.md §7.1), e.g. `read`, `write`, `record:create`. */
  permissions: readonly string[];
  /** Budget of bytes that `copy` operations may duplicate (default 10 MiB). */
  maxCopiedBytes?: number;
}

const OPERATION_KEYS = new Set(['op', 'path', 'from', 'value']);

/** Python's `str()` of a body, as colander quotes it. */
function quoted(value: unknown): string {
  return `"${pyStr(value)}"`;
}

function checkPointer(item: Record<string, unknown>, key: 'path' | 'from', name: string, details: ValidationDetail[]): void {
  const value = item[key];
  // colander treats falsy values (missing, "", 0, null) as absent.
  if (value === undefined || value === null || value === '' || value === 0 || value === false) {
    if (key === 'path') details.push({ location: 'body', name, description: 'Required' });
    return;
  }
  if (typeof value !== 'string') {
    details.push({ location: 'body', name, description: `${pyRepr(value)} is not a string: {'${key}': ''}` });
  } else if (!value.startsWith('/')) {
    details.push({ location: 'body', name, description: 'String does not match expected pattern' });
  }
}

/**
 * Validates a JSON-Patch body (Kinto's `JsonPatchRequestSchema`): an array of
 * `{op, path, from?, value?}`, nothing else. Every problem is reported at once,
 * as 400 errno 107 with `details` named `<index>.<field>`.
 */
export function parseJsonPatch(body: unknown, options: { maxOperations?: number } = {}): JsonPatchOperation[] {
  const max = options.maxOperations ?? JSON_PATCH_MAX_OPERATIONS;
  if (!Array.isArray(body)) {
    throw invalidParameters([{ location: 'body', name: '', description: `${quoted(body ?? {})} is not iterable` }]);
  }
  if (body.length > max) {
    throw invalidParameters([{ location: 'body', name: '', description: `JSON Patch is limited to ${max} operations` }]);
  }
  const details: ValidationDetail[] = [];
  body.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      details.push({ location: 'body', name: String(index), description: `${quoted(item)} is not a mapping type: Does not implement dict-like functionality.` });
      return;
    }
    const operation = item as Record<string, unknown>;
    const unknown = Object.keys(operation).filter((k) => !OPERATION_KEYS.has(k));
    if (unknown.length > 0) {
      const extra = Object.fromEntries(unknown.map((k) => [k, operation[k]]));
      details.push({ location: 'body', name: String(index), description: `Unrecognized keys in mapping: ${quoted(extra)}` });
    }
    const op = operation.op;
    if (op === undefined || op === null || op === '' || op === 0 || op === false) {
      details.push({ location: 'body', name: `${index}.op`, description: 'Required' });
    } else if (typeof op !== 'string') {
      details.push({ location: 'body', name: `${index}.op`, description: `${pyRepr(op)} is not a string: {'op': ''}` });
    } else if (!(JSON_PATCH_OPS as readonly string[]).includes(op)) {
      details.push({ location: 'body', name: `${index}.op`, description: `"${op}" is not one of ${JSON_PATCH_OPS.join(', ')}` });
    }
    checkPointer(operation, 'path', `${index}.path`, details);
    checkPointer(operation, 'from', `${index}.from`, details);
  });
  if (details.length > 0) throw invalidParameters(details);
  return (body as Array<Record<string, unknown>>).map((item) => {
    const operation: JsonPatchOperation = { op: item.op as JsonPatchOp, path: item.path as string };
    if (typeof item.from === 'string') operation.from = item.from;
    if ('value' in item) operation.value = item.value;
    return operation;
  });
}

function patchFailed(reason: string) {
  return invalidParameters([{ location: 'body', name: null, description: `JSON Patch operation failed: ${reason}` }]);
}

// Kinto ignores `value` on these paths: the principal is the last path segment.
const PRINCIPAL_PATH = /^\/permissions\/(read|write)\/([^/]*)$/;

/**
 * Applies a validated operation list to an object (kinto-api.md §4.7 c) and
 * returns its new data and its whole new ACL (every permission of the resource,
 * empty lists for cleared ones). A failing operation → 400
 * `body: JSON Patch operation failed: <reason>`, nothing changed.
 */
export function applyJsonPatch(current: PatchTarget, operations: readonly JsonPatchOperation[], options: PatchOptions): PatchTarget {
  const permissions: Record<string, Record<string, string>> = {};
  for (const [name, principals] of Object.entries(current.permissions)) {
    if (principals.length > 0 || name === 'read' || name === 'write') permissions[name] = asSet(principals);
  }
  permissions.read ??= {};
  permissions.write ??= {};
  const document = { data: structuredClone(current.data), permissions };

  const prepared = operations.map((operation) => {
    const principal = PRINCIPAL_PATH.exec(operation.path);
    if (!principal) return operation;
    return { ...operation, value: principal[2]!.replace(/~1/g, '/').replace(/~0/g, '~') };
  });
  try {
    applyOperations(document, prepared, { maxCopiedBytes: options.maxCopiedBytes });
  } catch (error) {
    if (error instanceof JsonPatchFailure || error instanceof RangeError) throw patchFailed(error.message);
    throw error;
  }

  const result = document as Record<string, unknown>;
  const data = result.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw patchFailed('data must be an object');
  return { data: data as Record<string, unknown>, permissions: toAcl(result.permissions, options.permissions) };
}

/** Principals as a JSON mapping `{principal: principal}` so that pointers can address them. */
function asSet(principals: readonly string[]): Record<string, string> {
  const set: Record<string, string> = {};
  for (const p of principals) Object.defineProperty(set, p, { value: p, enumerable: true, writable: true, configurable: true });
  return set;
}

function toAcl(value: unknown, allowed: readonly string[]): Acl {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw patchFailed('permissions must be an object');
  const acl: Acl = {};
  for (const name of allowed) acl[name] = [];
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    if (!allowed.includes(name)) throw patchFailed(`"${name}" is not one of ${allowed.join(', ')}`);
    let principals: unknown[];
    if (Array.isArray(entry)) principals = entry;
    else if (typeof entry === 'object' && entry !== null) principals = Object.keys(entry);
    else throw patchFailed(`permissions.${name} must be a list of principals`);
    if (!principals.every((p) => typeof p === 'string')) throw patchFailed(`permissions.${name} must be a list of principals`);
    acl[name] = [...new Set(principals as string[])];
  }
  return acl;
}
