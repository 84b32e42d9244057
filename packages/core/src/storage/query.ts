// In-process evaluation of filters and sorting (kinto-api.md §6.2, §6.3), used by
// the memory backend and by views that filter computed lists (/permissions).
// Cross-type order: null < string < number < boolean < array < object < missing.
import { COMPARISON, type Filter, type KintoObject, type Sort } from './index.js';

const MISSING = Symbol('missing');
type Value = unknown | typeof MISSING;

const own = (obj: object, key: string) => Object.prototype.hasOwnProperty.call(obj, key);

/**
 * Resolves a dotted field; a key that itself contains dots is tried longest-first.
 * Only own keys count (`?constructor=1` never reaches Object.prototype), and the cost
 * is bounded by the object's keys, not by the number of dots in a hostile field name.
 */
export function getField(obj: Record<string, unknown>, field: string): Value {
  if (own(obj, field)) return obj[field];
  let best: string | undefined;
  for (const key of Object.keys(obj)) {
    if (key.length < field.length && field.charCodeAt(key.length) === 46 /* . */ && field.startsWith(key)) {
      if (best === undefined || key.length > best.length) best = key;
    }
  }
  if (best === undefined) return MISSING;
  const child = obj[best];
  if (child && typeof child === 'object' && !Array.isArray(child)) {
    return getField(child as Record<string, unknown>, field.slice(best.length + 1));
  }
  return MISSING;
}

function typeRank(v: Value): number {
  if (v === MISSING) return 6;
  if (v === null) return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/** Total order used by comparisons and sorting. */
export function compareValues(a: Value, b: Value): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (ra === 4 || ra === 5) {
    const sa = JSON.stringify(a);
    const sb = JSON.stringify(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  return 0;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function likeRegExp(pattern: string): RegExp {
  const body = pattern.includes('*') ? pattern : `*${pattern}*`;
  const escaped = body.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'is');
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

export function matchFilter(obj: Record<string, unknown>, filter: Filter): boolean {
  const v = getField(obj, filter.field);
  // An undefined value stands for a missing field: keyset pagination past an object lacking the sort field (§6.4).
  const target: Value = filter.value === undefined ? MISSING : filter.value;
  switch (filter.operator) {
    case COMPARISON.EQ:
      return target === MISSING ? v === MISSING : v !== MISSING && jsonEqual(v, target);
    case COMPARISON.NOT:
      return v === MISSING || !jsonEqual(v, target);
    // Missing ranks above every value (compareValues), so it is never `<` and always `>`.
    case COMPARISON.LT:
      return compareValues(v, target) < 0;
    case COMPARISON.GT:
      return compareValues(v, target) > 0;
    case COMPARISON.MIN:
      return compareValues(v, target) >= 0;
    case COMPARISON.MAX:
      return compareValues(v, target) <= 0;
    case COMPARISON.IN:
      return v !== MISSING && asList(target).some((t) => jsonEqual(v, t));
    case COMPARISON.EXCLUDE:
      return v === MISSING || !asList(target).some((t) => jsonEqual(v, t));
    case COMPARISON.LIKE:
      if (v === MISSING || v === null) return false;
      return likeRegExp(String(target)).test(typeof v === 'string' ? v : JSON.stringify(v));
    case COMPARISON.HAS:
      return target ? v !== MISSING : v === MISSING;
    case COMPARISON.CONTAINS:
      return Array.isArray(v) && asList(target).every((t) => v.some((x) => jsonEqual(x, t)));
    case COMPARISON.CONTAINS_ANY:
      return Array.isArray(v) && asList(target).some((t) => v.some((x) => jsonEqual(x, t)));
    default:
      return false;
  }
}

export function matchAll(obj: Record<string, unknown>, filters: Filter[] = []): boolean {
  return filters.every((f) => matchFilter(obj, f));
}

/** Keyset pagination: an OR of AND-lists. */
export function matchPagination(obj: Record<string, unknown>, rules: Filter[][] = []): boolean {
  return rules.length === 0 || rules.some((rule) => matchAll(obj, rule));
}

export function compareObjects(a: KintoObject, b: KintoObject, sorting: Sort[]): number {
  for (const { field, direction } of sorting) {
    const c = compareValues(getField(a, field), getField(b, field));
    if (c !== 0) return c * direction;
  }
  return 0;
}

export function sortObjects<T extends KintoObject>(objects: T[], sorting: Sort[] = []): T[] {
  return sorting.length === 0 ? objects : [...objects].sort((a, b) => compareObjects(a, b, sorting));
}
