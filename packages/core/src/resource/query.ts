// List querying (kinto-api.md §6): filters, `_since`/`_before`/`_to`, `_sort`,
// `_limit`, `_fields`, each invalid value a 400 errno 107 naming the parameter.
import { invalidParameter, invalidParameters } from '../errors.js';
import type { Settings } from '../settings/load.js';
import { COMPARISON, type Comparison, type Filter, type Sort } from '../storage/index.js';
import { pyRepr } from './body.js';
import { nativeQueryValue, single, type RawQuery } from './querystring.js';

const MAX_INTEGER = 2n ** 63n;
const DAY_MS = 24 * 3600 * 1000;
// kinto-ts: a bound on field names keeps hostile filters (10 KB names) cheap (§11.4).
export const MAX_FIELD_LENGTH = 256;

const OPERATORS: Comparison[] = [
  COMPARISON.CONTAINS_ANY,
  COMPARISON.CONTAINS,
  COMPARISON.EXCLUDE,
  COMPARISON.NOT,
  COMPARISON.LIKE,
  COMPARISON.HAS,
  COMPARISON.MIN,
  COMPARISON.MAX,
  COMPARISON.LT,
  COMPARISON.GT,
  COMPARISON.IN,
  COMPARISON.EQ,
];
const FILTER_PARAM = new RegExp(`^(${OPERATORS.join('|')})_([\\p{L}\\p{N}_.]+)$`, 'u');
const SORT_ITEM = /^([-+]?)([\p{L}\p{N}_.]+)$/u;

export interface QueryOptions {
  /** Strict schemas: filtering/sorting/projecting other root fields is a 400. */
  knownFields?: readonly string[];
  /** The field unique within a list, used as last sort key (default `last_modified`). */
  tieBreaker?: string;
  /** Timestamps are validated against `now + 24h` (kinto-api.md §13). */
  now?: number;
}

function isKnown(field: string, options: QueryOptions): boolean {
  if (!options.knownFields) return true;
  return options.knownFields.includes(field) || options.knownFields.includes(field.split('.')[0]!);
}

/** An integer querystring value in `0 … 2^63` (`_since`, `_before`, `_to`, `_limit`), quotes allowed. */
export function integerParam(name: string, raw: string | string[]): number | null {
  if (Array.isArray(raw)) throw invalidParameter('querystring', name, `"${pyRepr(raw)}" is not a number`);
  const text = raw.trim().replace(/^"(.*)"$/, '$1');
  if (text === 'null') return null;
  if (!/^-?\d+$/.test(text)) throw invalidParameter('querystring', name, `"${raw}" is not a number`);
  const value = BigInt(text);
  if (value < 0n) throw invalidParameter('querystring', name, `${text} is less than minimum value 0`);
  if (value > MAX_INTEGER) throw invalidParameter('querystring', name, `${text} is greater than maximum value ${MAX_INTEGER}`);
  return Number(value);
}

function invalidValue(param: string) {
  return invalidParameter('querystring', param, `Invalid value for ${param}`);
}

function isTimestamp(value: unknown, now: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < now + DAY_MS;
}

/** `123`, `"123"` and `'"123"'` as an integer timestamp, else undefined. */
function timestampValue(value: unknown): unknown {
  if (typeof value === 'string') {
    const text = value.replace(/^"(.*)"$/, '$1');
    if (/^\d{1,16}$/.test(text)) return Number(text);
  }
  return value;
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (value !== null && typeof value === 'object') return JSON.stringify(value).includes('\\u0000');
  return false;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Filters of the querystring; `_since`/`_before`/`_to` become `last_modified` filters. */
export function parseFilters(query: RawQuery, options: QueryOptions = {}): { filters: Filter[]; deprecatedTo: boolean } {
  const now = options.now ?? Date.now();
  const filters: Filter[] = [];
  let deprecatedTo = false;
  for (const [rawName, values] of query) {
    const param = rawName.trim();
    if (param === '_since' || param === '_before' || param === '_to') {
      const value = integerParam(param, values.length === 1 ? values[0]! : values);
      if (value === null) continue;
      if (!isTimestamp(value, now)) throw invalidValue(param);
      if (param === '_to') deprecatedTo = true;
      filters.push({ field: 'last_modified', operator: param === '_since' ? COMPARISON.GT : COMPARISON.LT, value });
      continue;
    }
    if (param.startsWith('_')) continue;
    if (param.length > MAX_FIELD_LENGTH) {
      throw invalidParameter('querystring', `${param.slice(0, 40)}…`, `Filter field names are limited to ${MAX_FIELD_LENGTH} characters`);
    }
    const m = FILTER_PARAM.exec(param);
    const operator = m ? (m[1] as Comparison) : COMPARISON.EQ;
    const field = m ? m[2]! : param;
    if (!isKnown(field, options)) throw invalidParameter('querystring', param, `Unknown filter field '${param}'`);
    const raw = values.length === 1 ? values[0]! : values;
    if (field.includes('\0') || (typeof raw === 'string' ? raw.includes('\0') : raw.some((v) => v.includes('\0')))) {
      throw invalidParameter('querystring', param, 'Invalid character 0x00');
    }
    let value: unknown = typeof raw === 'string' ? nativeQueryValue(raw) : raw;
    switch (operator) {
      case COMPARISON.IN:
      case COMPARISON.EXCLUDE: {
        const items = (typeof raw === 'string' ? raw.split(',') : raw).map(nativeQueryValue);
        if (field === 'id' && !items.every((v) => typeof v === 'string')) throw invalidValue(param);
        if (field === 'last_modified') {
          const stamps = items.map(timestampValue);
          if (!stamps.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) throw invalidValue(param);
          value = stamps;
        } else value = items;
        break;
      }
      case COMPARISON.CONTAINS:
      case COMPARISON.CONTAINS_ANY:
        if (field === 'id' || field === 'last_modified') {
          throw invalidParameter('querystring', param, `Field '${field}' is not an array`);
        }
        value = Array.isArray(value) ? value : [value];
        break;
      case COMPARISON.LIKE:
        if (typeof value !== 'string') throw invalidValue(param);
        break;
      case COMPARISON.HAS:
        value = truthy(value);
        break;
      default:
        if (field === 'last_modified') {
          value = timestampValue(value);
          if (!isTimestamp(value, now)) throw invalidValue(param);
        }
    }
    if (hasNul(value)) throw invalidParameter('querystring', param, 'Invalid character 0x00');
    filters.push({ field, operator, value });
  }
  return { filters, deprecatedTo };
}

/** `_sort=f1,-f2`; a final tie-breaker (descending) unless already sorted on it (kinto-api.md §6.3). */
export function parseSorting(query: RawQuery, options: QueryOptions = {}): Sort[] {
  const tieBreaker = options.tieBreaker ?? 'last_modified';
  const raw = single(query, '_sort');
  const items = raw === undefined ? [] : (Array.isArray(raw) ? raw.join(',') : raw).split(',');
  const sorting: Sort[] = [];
  for (const item of items) {
    const m = SORT_ITEM.exec(item.trim());
    if (!m) continue;
    const field = m[2]!;
    if (field.length > MAX_FIELD_LENGTH) throw invalidParameter('querystring', '_sort', `Sort field names are limited to ${MAX_FIELD_LENGTH} characters`);
    if (!isKnown(field, options)) throw invalidParameter('querystring', null, `Unknown sort field '${field}'`);
    sorting.push({ field, direction: m[1] === '-' ? -1 : 1 });
  }
  if (!sorting.some((s) => s.field === tieBreaker)) sorting.push({ field: tieBreaker, direction: -1 });
  return sorting;
}

/** Effective page size (kinto-api.md §6.4): `_limit` capped by `paginate_by`, all capped by `storage_max_fetch_size`. */
export function parseLimit(query: RawQuery, settings: Settings): number {
  const { paginate_by: paginateBy, storage_max_fetch_size: maxFetch } = settings.core;
  const raw = single(query, '_limit');
  let limit = raw === undefined ? paginateBy : integerParam('_limit', raw);
  if (limit && paginateBy) limit = Math.min(limit, paginateBy);
  return limit ? Math.min(limit, maxFetch) : maxFetch;
}

/** `_fields=title,address.street` plus `id` and `last_modified` (kinto-api.md §6.5). */
export function parseFields(query: RawQuery, options: QueryOptions = {}): string[] | undefined {
  const raw = single(query, '_fields');
  if (raw === undefined) return undefined;
  const fields = (Array.isArray(raw) ? raw.join(',') : raw)
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (fields.length === 0) return undefined;
  if (options.knownFields) {
    const unknown = [...new Set(fields.map((f) => f.split('.')[0]!))].filter((f) => !options.knownFields!.includes(f));
    if (unknown.length > 0) throw invalidParameters([{ location: 'querystring', name: '_fields', description: `Fields ${unknown.join(',')} do not exist` }]);
  }
  return [...fields, 'id', 'last_modified'];
}

/** The nested projection of `_fields`. */
export function projectFields(obj: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field in obj) {
      out[field] = obj[field];
      continue;
    }
    const parts = field.split('.');
    let source: unknown = obj;
    let target: Record<string, unknown> = out;
    for (let i = 0; i < parts.length; i++) {
      if (source === null || typeof source !== 'object' || Array.isArray(source) || !(parts[i]! in (source as object))) break;
      const value = (source as Record<string, unknown>)[parts[i]!];
      if (i === parts.length - 1) target[parts[i]!] = value;
      else {
        const existing = target[parts[i]!];
        target = (target[parts[i]!] = existing && typeof existing === 'object' ? existing : {}) as Record<string, unknown>;
      }
      source = value;
    }
  }
  return out;
}
