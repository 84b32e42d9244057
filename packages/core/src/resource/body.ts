// Request bodies of resources (kinto-api.md §2.1): the `{data, permissions}`
// envelope with Kinto's validation messages (colander's wording, Python reprs).
import { invalidParameter, invalidParameters, type ValidationDetail } from '../errors.js';
import type { Acl } from '../permission/index.js';

/** Python's `str()` of a JSON value, as colander prints it in messages. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Python's `repr()` of a JSON value (`None`, `True`, `'text'`, `[1, 2]`, `{'a': 1}`). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloat(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
    .join(', ')}}`;
}

function pyFloat(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notMapping(name: string, value: unknown): ValidationDetail {
  return { location: 'body', name, description: `"${pyStr(value)}" is not a mapping type: Does not implement dict-like functionality.` };
}

export interface Envelope {
  /** Absent when the body has no `data`. */
  data?: Record<string, unknown>;
  /** Absent when the body has no `permissions`; `null` values are dropped. */
  permissions?: Acl;
}

/**
 * Validates `{data, permissions}`: both optional, no other key, `data` an object,
 * `permissions` mapping allowed permission names to lists of strings.
 */
export function parseEnvelope(body: unknown, allowedPermissions: readonly string[]): Envelope {
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw invalidParameters([notMapping('', body)]);
  const unknown = Object.keys(body).filter((k) => k !== 'data' && k !== 'permissions');
  if (unknown.length > 0) {
    const extra = Object.fromEntries(unknown.map((k) => [k, body[k]]));
    throw invalidParameter('body', '', `Unrecognized keys in mapping: "${pyRepr(extra)}"`);
  }
  const envelope: Envelope = {};
  if ('data' in body) {
    if (!isPlainObject(body.data)) throw invalidParameters([notMapping('data', body.data)]);
    envelope.data = { ...body.data };
  }
  if ('permissions' in body) envelope.permissions = parsePermissions(body.permissions, allowedPermissions);
  return envelope;
}

/** Validates an ACL from a request body (kinto-api.md §2.1); `null` entries are ignored. */
export function parsePermissions(value: unknown, allowed: readonly string[], name = 'permissions'): Acl {
  if (!isPlainObject(value)) throw invalidParameters([notMapping(name, value)]);
  const details: ValidationDetail[] = [];
  const acl: Acl = {};
  for (const [permission, principals] of Object.entries(value)) {
    if (!allowed.includes(permission)) {
      details.push({ location: 'body', name, description: `"${permission}" is not one of ${allowed.join(', ')}` });
      continue;
    }
    if (principals === null) continue;
    if (!Array.isArray(principals)) {
      details.push({ location: 'body', name: `${name}.${permission}`, description: `"${pyStr(principals)}" is not iterable` });
      continue;
    }
    principals.forEach((p, i) => {
      if (typeof p !== 'string') {
        details.push({ location: 'body', name: `${name}.${permission}.${i}`, description: `${pyStr(p)} is not a string: {'': ''}` });
      }
    });
    acl[permission] = [...new Set(principals as string[])];
  }
  if (details.length > 0) throw invalidParameters(details);
  return acl;
}

/** Helpers for per-resource data schemas (Kinto's colander nodes). */
export const fieldErrors = {
  notString: (name: string, value: unknown): ValidationDetail => ({
    location: 'body',
    name,
    description: `${pyStr(value)} is not a string: {'': ''}`,
  }),
  notIterable: (name: string, value: unknown): ValidationDetail => ({
    location: 'body',
    name,
    description: `"${pyStr(value)}" is not iterable`,
  }),
  notNumber: (name: string, value: unknown): ValidationDetail => ({
    location: 'body',
    name,
    description: `"${pyStr(value)}" is not a number`,
  }),
};
