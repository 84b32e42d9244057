// Timestamps headers and preconditions (kinto-api.md §2.3, §5.3–§5.5).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidParameter, preconditionFailed, type KintoError } from '../errors.js';
import type { KintoObject } from '../storage/index.js';

/** `"1234"` → 1234, `*` → '*', absent/empty → undefined; anything else → 400. */
export function preconditionHeader(request: FastifyRequest, name: 'If-Match' | 'If-None-Match'): number | '*' | undefined {
  const raw = request.headers[name.toLowerCase()];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw.join(', ') : raw).trim();
  if (value === '') return undefined;
  if (value === '*') return '*';
  const m = /^"(\d+)"$/.exec(value);
  // §11.4: `**`, `*junk` and timestamps beyond 2^63 are refused like any malformed value.
  if (!m || m[1]!.length > 19) throw invalidParameter('header', name, 'The value should be integer between double quotes.');
  return Number(m[1]);
}

// Consecutive requests mostly answer the same second: keep its formatted date.
let lastSecond = NaN;
let lastHttpDate = '';

/** The HTTP date of a millisecond timestamp, to the second. */
function httpDate(timestamp: number): string {
  const second = Math.floor(timestamp / 1000);
  if (second !== lastSecond) {
    lastHttpDate = new Date(second * 1000).toUTCString();
    lastSecond = second;
  }
  return lastHttpDate;
}

export function setTimestampHeaders(reply: FastifyReply, timestamp: number): void {
  reply.header('etag', `"${timestamp}"`);
  reply.header('last-modified', httpDate(timestamp));
}

/** A 412 carrying the current ETag/Last-Modified (the error handler copies error headers). */
function failed(current: number, existing: KintoObject | null): KintoError {
  const error = preconditionFailed(existing ? stripPermissions(existing) : null);
  Object.assign(error.headers, {
    etag: `"${current}"`,
    'last-modified': httpDate(current),
  });
  return error;
}

function stripPermissions(obj: KintoObject): Record<string, unknown> {
  const { __permissions__: _ignored, ...rest } = obj as Record<string, unknown>;
  return rest;
}

export interface PreconditionTarget {
  /** The targeted object (null when absent); plural endpoints pass `'list'`. */
  existing: KintoObject | null | 'list';
  /** The timestamp compared: the object's, or the list's. */
  current: number;
}

/** GET/HEAD: `If-None-Match: "<current>"` → 304 (kinto-api.md §5.4). */
export function notModified(request: FastifyRequest, target: PreconditionTarget): boolean {
  const value = preconditionHeader(request, 'If-None-Match');
  return typeof value === 'number' && value === target.current;
}

/** The 412 rules of kinto-api.md §5.4 (absent targets of PUT/POST included). */
export function checkPreconditions(request: FastifyRequest, target: PreconditionTarget): void {
  const ifMatch = preconditionHeader(request, 'If-Match');
  const ifNoneMatch = preconditionHeader(request, 'If-None-Match');
  const exists = target.existing !== null;
  const existing = target.existing === 'list' ? null : target.existing;
  if (ifNoneMatch === '*' && exists) throw failed(target.current, existing);
  if (ifMatch !== undefined) {
    if (!exists) throw failed(target.current, null);
    if (ifMatch !== '*' && ifMatch !== target.current) throw failed(target.current, existing);
  }
}
