// Keyset pagination (kinto-api.md §6.4): the token holds the sort values of the
// last object returned; the next page starts strictly after it in the sort order,
// so concurrent writes never shift or repeat pages. DELETE tokens are single use.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Cache } from '../cache/index.js';
import { invalidParameter, invalidParameters } from '../errors.js';
import type { Settings } from '../settings/load.js';
import { COMPARISON, type Filter, type KintoObject, type Sort } from '../storage/index.js';
import { getField } from '../storage/query.js';
import { isPlainObject, pyStr } from './body.js';
import { nativeQueryValue, rawQueryString, single, type RawQuery } from './querystring.js';

export interface PaginationToken {
  last_object: Record<string, unknown>;
  offset: number;
  nonce: string;
  /** kinto-ts: the list timestamp seen by the first page (see `snapshotTimestamp`). */
  timestamp?: number;
}

const INVALID = 'A value no object holds';
const TOKEN_CACHE = 'pagination-token';

function invalidToken(description = '_token has invalid content') {
  return invalidParameters([{ location: 'querystring', name: null, description }]);
}

/** Reads `_token`; a DELETE token is consumed from the cache (single use). */
export async function readToken(query: RawQuery, method: string, cache: Cache): Promise<PaginationToken | undefined> {
  const raw = single(query, '_token');
  if (raw === undefined || raw === '') return undefined;
  const native = typeof raw === 'string' ? nativeQueryValue(raw) : raw;
  if (typeof native !== 'string') throw invalidParameter('querystring', '_token', `${pyStr(native)} is not a string: {'_token': ''}`);
  let token: unknown;
  try {
    const text = Buffer.from(native, 'base64').toString('utf8');
    token = JSON.parse(text);
  } catch {
    throw invalidToken();
  }
  if (
    !isPlainObject(token) ||
    !isPlainObject(token.last_object) ||
    typeof token.offset !== 'number' ||
    typeof token.nonce !== 'string'
  ) {
    throw invalidToken();
  }
  if (method === 'DELETE') {
    const used = await cache.pop(`${TOKEN_CACHE}:${token.nonce}`);
    if (used === undefined) throw invalidToken('_token was already used or has expired.');
  }
  return token as unknown as PaginationToken;
}

/**
 * The rules selecting objects strictly after `last` in `sorting` (an OR of ANDs).
 * A field absent from `last` sorts after every value (kinto-api.md §6.2 order), so
 * "after missing" is nothing ascending and "any value" descending.
 */
export function paginationRules(sorting: Sort[], last: Record<string, unknown>): Filter[][] {
  const rules: Filter[][] = [];
  for (let i = sorting.length - 1; i >= 0; i--) {
    const rule: Filter[] = [];
    for (const { field } of sorting.slice(0, i)) {
      rule.push(field in last ? { field, operator: COMPARISON.EQ, value: last[field] } : { field, operator: COMPARISON.HAS, value: false });
    }
    const { field, direction } = sorting[i]!;
    if (field in last) rule.push({ field, operator: direction < 0 ? COMPARISON.LT : COMPARISON.GT, value: last[field] });
    else if (direction < 0) rule.push({ field, operator: COMPARISON.HAS, value: true });
    else continue;
    rules.push(rule);
  }
  if (rules.length === 0) rules.push([{ field: 'id', operator: COMPARISON.IN, value: [INVALID] }]);
  return rules;
}

/**
 * kinto-ts: the list timestamp carried by a page token. Pages after the first report
 * it as their ETag, so a client that keeps the ETag of the last page (kinto-http)
 * resumes `_since` from the snapshot it paged through and misses nothing written
 * meanwhile (upstream reports the current timestamp, skipping those writes).
 * Never throws: `readToken` validates the token.
 */
export function snapshotTimestamp(query: RawQuery): number | undefined {
  const raw = single(query, '_token');
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { timestamp?: unknown };
    return typeof token.timestamp === 'number' && Number.isSafeInteger(token.timestamp) && token.timestamp >= 0 ? token.timestamp : undefined;
  } catch {
    return undefined;
  }
}

/** A new token after `last`; DELETE tokens are remembered for `pagination_token_validity_seconds`. */
export async function buildToken(
  sorting: Sort[],
  last: KintoObject | Record<string, unknown>,
  offset: number,
  method: string,
  cache: Cache,
  settings: Settings,
  timestamp?: number,
): Promise<string> {
  const nonce = `pagination-token-${randomUUID()}`;
  if (method === 'DELETE') await cache.set(`${TOKEN_CACHE}:${nonce}`, '', settings.core.pagination_token_validity_seconds);
  const lastObject: Record<string, unknown> = {};
  for (const { field } of sorting) {
    const value = getField(last as Record<string, unknown>, field);
    if (typeof value !== 'symbol') lastObject[field] = value;
  }
  const token: PaginationToken = { last_object: lastObject, offset, nonce };
  if (timestamp !== undefined) token.timestamp = timestamp;
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

/** The absolute URL of this request with `_limit` and `_token` replaced (the `Next-Page` header). */
export function nextPageUrl(request: FastifyRequest, settings: Settings, limit: number, token: string): string {
  const { http_scheme: scheme, http_host: host } = settings.core;
  const base = `${scheme ?? request.protocol ?? 'http'}://${host ?? request.headers.host ?? 'localhost'}`;
  const url = request.raw.url ?? request.url;
  const path = url.split('?')[0]!;
  const params = new URLSearchParams();
  for (const part of rawQueryString(request).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent((eq >= 0 ? part.slice(0, eq) : part).replace(/\+/g, ' '));
    if (name === '_limit' || name === '_token') continue;
    params.append(name, decodeURIComponent((eq >= 0 ? part.slice(eq + 1) : '').replace(/\+/g, ' ')));
  }
  params.set('_limit', String(limit));
  params.set('_token', token);
  return `${base}${path}?${params.toString()}`;
}
