// `POST /v1/batch` (kinto-api.md §10.5, §11.4; Kinto's kinto/core/views/batch.py).
// Sub-requests are replayed in-process through `app.inject`, in order, sharing the
// batch's `request.kinto.bound` (identity computed once per Authorization header,
// parent objects, stacked change events) and one transaction.
import type { FastifyRequest, LightMyRequestResponse } from 'fastify';
import type { KintoApp } from '../app.js';
import { invalidParameter, invalidParameters, KintoError, type ValidationDetail } from '../errors.js';
import { bindSubrequests } from '../http/context.js';
import { discardResourceEvents, withResourceEvents } from '../resource/events.js';
import { pyRepr, pyStr } from '../schema/python-repr.js';
import { runInTransaction } from '../transaction.js';

const BATCH_PATH = '/batch';
const VALID_METHODS = ['GET', 'HEAD', 'DELETE', 'TRACE', 'POST', 'PUT', 'PATCH'] as const;
const REQUEST_KEYS = new Set(['method', 'path', 'headers', 'body']);
// Headers of the batch that must not leak into sub-requests: framing belongs to the batch body.
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'expect']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const UNSAFE_VALUE = /[\0\r\n]/;

interface Subrequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface BatchResponse {
  status: number;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const notMapping = (value: unknown) => `"${pyStr(value)}" is not a mapping type: Does not implement dict-like functionality.`;

/**
 * Kinto's `merge_dicts(request, defaults)`: defaults fill what the sub-request lacks,
 * recursively. kinto-ts: when types clash (`{"data": {…}}` vs `{"data": 5}`) the
 * sub-request keeps its own value where upstream answers 500 (§11.4).
 */
function mergeDefaults(target: Record<string, unknown>, defaults: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(defaults)) {
    const own = Object.prototype.hasOwnProperty.call(target, key);
    if (isObject(value)) {
      if (!own) Object.defineProperty(target, key, { value: {}, enumerable: true, writable: true, configurable: true });
      if (isObject(target[key])) mergeDefaults(target[key] as Record<string, unknown>, value);
    } else if (!own) {
      Object.defineProperty(target, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
    }
  }
}

/** colander treats falsy values as absent. */
const absent = (value: unknown) => value === undefined || value === null || value === '' || value === 0 || value === false;

/** Kinto's `BatchRequestSchema`; `prefix` is `requests.<i>` or `defaults`. */
function checkRequest(item: unknown, prefix: string, pathRequired: boolean, details: ValidationDetail[]): void {
  const at = (name: string, description: string) => details.push({ location: 'body', name: `${prefix}.${name}`, description });
  if (!isObject(item)) {
    details.push({ location: 'body', name: prefix, description: notMapping(item) });
    return;
  }
  const unknown = Object.keys(item).filter((k) => !REQUEST_KEYS.has(k));
  if (unknown.length > 0) {
    const extra = Object.fromEntries(unknown.map((k) => [k, item[k]]));
    details.push({ location: 'body', name: prefix, description: `Unrecognized keys in mapping: "${pyRepr(extra)}"` });
  }
  const { method, path, headers, body } = item;
  if (!absent(method)) {
    if (typeof method !== 'string') at('method', `${pyRepr(method)} is not a string: {'method': ''}`);
    else if (!(VALID_METHODS as readonly string[]).includes(method)) at('method', `"${method}" is not one of ${VALID_METHODS.join(', ')}`);
  }
  if (absent(path)) {
    if (pathRequired) at('path', 'Required');
  } else if (typeof path !== 'string') at('path', `${pyRepr(path)} is not a string: {'path': ''}`);
  else if (!path.startsWith('/')) at('path', 'String does not match expected pattern');
  if (headers !== undefined) {
    if (!isObject(headers)) at('headers', notMapping(headers));
    else if (!Object.values(headers).every((v) => typeof v === 'string')) at('headers', `${pyRepr(headers)} contains non string value`);
    // kinto-ts: a header that HTTP cannot carry is refused here rather than failing the replay.
    else if (Object.entries(headers).some(([k, v]) => !TOKEN.test(k) || UNSAFE_VALUE.test(v as string))) at('headers', 'Invalid header name or value');
  }
  if (body !== undefined && !isObject(body)) at('body', notMapping(body));
}

/** Validates the batch body (Kinto's `BatchPayloadSchema`) and applies the defaults. */
export function parseBatch(body: unknown, limit: number | null): Subrequest[] {
  const payload = body ?? {};
  // kinto-ts: a JSON array is a clean 400 (upstream answers 500, §11.4).
  if (!isObject(payload)) throw invalidParameters([{ location: 'body', name: '', description: notMapping(payload) }]);
  const details: ValidationDetail[] = [];
  const unknown = Object.keys(payload).filter((k) => k !== 'defaults' && k !== 'requests');
  if (unknown.length > 0) {
    const extra = Object.fromEntries(unknown.map((k) => [k, payload[k]]));
    details.push({ location: 'body', name: '', description: `Unrecognized keys in mapping: "${pyRepr(extra)}"` });
  }
  const { defaults, requests } = payload;
  if (defaults !== undefined) checkRequest(defaults, 'defaults', false, details);
  if (requests === undefined) details.push({ location: 'body', name: 'requests', description: 'Required' });
  else if (!Array.isArray(requests)) details.push({ location: 'body', name: 'requests', description: `"${pyStr(requests)}" is not iterable` });
  else {
    requests.forEach((request: unknown, i) => {
      if (isObject(request) && isObject(defaults)) mergeDefaults(request, defaults);
      checkRequest(request, `requests.${i}`, true, details);
    });
  }
  if (details.length > 0) throw invalidParameters(details);

  const list = requests as Array<Record<string, unknown>>;
  if (limit && list.length > limit) throw invalidParameter('body', 'requests', `Number of requests is limited to ${limit}`);
  if (list.some((r) => (r.path as string).includes(BATCH_PATH) || unquote(r.path as string).includes(BATCH_PATH))) {
    throw invalidParameter('body', 'requests', `Recursive call on ${BATCH_PATH} endpoint is forbidden.`);
  }
  return list.map((r) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((r.headers as Record<string, string> | undefined) ?? {})) headers[k.toLowerCase()] = v;
    return { method: absent(r.method) ? 'GET' : (r.method as string), path: r.path as string, headers, body: r.body as Record<string, unknown> | undefined };
  });
}

/** Python's `urllib.parse.unquote`: %XX sequences as UTF-8, invalid bytes as U+FFFD. */
export function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16));
    return new TextDecoder('utf-8').decode(bytes);
  });
}

// Kinto (WebOb) names response headers in their canonical case; clients read `headers.ETag`.
const SPECIAL_CASE: Readonly<Record<string, string>> = { etag: 'ETag', 'www-authenticate': 'WWW-Authenticate' };
function canonicalHeader(name: string): string {
  return SPECIAL_CASE[name] ?? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}

function isErrorEnvelope(body: unknown): body is { errno: number; message?: string; info?: string } {
  return isObject(body) && typeof body.errno === 'number' && typeof body.code === 'number';
}

/** A 409 sub-response: the work since the previous one is rolled back, the batch goes on (§10.5). */
class Rollback extends Error {}

export function registerBatch(kinto: KintoApp): void {
  const { app, registry } = kinto;

  async function replay(request: FastifyRequest, sub: Subrequest, token: Record<string, string>): Promise<BatchResponse> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    Object.assign(headers, sub.headers, token);
    // As Kinto, after the merge: a sub-request's own Content-Length would contradict its body.
    for (const name of DROPPED_HEADERS) delete headers[name];
    // Kinto sends an empty body for `{}` (`dict_obj.get("body") or ""`).
    let payload: string | undefined;
    if (sub.body && Object.keys(sub.body).length > 0) {
      payload = JSON.stringify(sub.body);
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    let url = sub.path.startsWith('/v1') ? sub.path : `/v1${sub.path}`;
    const send = (target: string) => app.inject({ method: sub.method as 'GET', url: target, headers, payload });
    let response: LightMyRequestResponse = await send(url);
    const location = response.headers.location;
    // Redirects (trailing slash) are followed once, as Kinto's `follow_subrequest`.
    if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
      const target = new URL(location, 'http://localhost');
      url = target.pathname + target.search;
      response = await send(url);
    }
    return toBatchResponse(sub.method, url, response);
  }

  kinto.service({
    name: 'batch',
    path: BATCH_PATH,
    methods: {
      POST: async (request: FastifyRequest) => {
        // A sub-request reaching the batch (an encoded path, a redirect) is a recursion too.
        if (request.kinto.subrequest) throw invalidParameter('body', 'requests', `Recursive call on ${BATCH_PATH} endpoint is forbidden.`);
        const subrequests = parseBatch(request.body, registry.settings.core.batch_max_requests);
        const { header, release } = bindSubrequests(request);
        const responses: BatchResponse[] = [];
        try {
          // The batch owns the change events of its sub-requests: merged, delivered once (§10.5).
          await withResourceEvents(registry, request, true, async () => {
            let next = 0;
            while (next < subrequests.length) {
              try {
                // One savepoint per stretch between 409s, so that a 409 undoes exactly that stretch.
                await runInTransaction(registry, async () => {
                  while (next < subrequests.length) {
                    const sub = subrequests[next++]!;
                    const response = await replay(request, sub, header);
                    request.log.info({ logger: 'subrequest.summary', path: response.path, method: sub.method, code: response.status }, 'subrequest.summary');
                    if (response.status >= 500 && isErrorEnvelope(response.body)) {
                      // An unexpected failure fails (and rolls back) the whole batch (§10.5).
                      const { errno, message, info } = response.body;
                      throw new KintoError(response.status, { errno, message, info });
                    }
                    responses.push(response);
                    if (response.status === 409) throw new Rollback();
                  }
                });
              } catch (error) {
                if (!(error instanceof Rollback)) throw error;
                discardResourceEvents(request);
              }
            }
          });
        } finally {
          release();
        }
        return { responses };
      },
    },
  });
}

// Added by the in-process transport, not by the sub-request's view.
const TRANSPORT_HEADERS = new Set(['connection', 'date', 'keep-alive', 'transfer-encoding']);

function toBatchResponse(method: string, url: string, response: LightMyRequestResponse): BatchResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || TRANSPORT_HEADERS.has(name)) continue;
    headers[canonicalHeader(name)] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  let body: unknown = '';
  if (method !== 'HEAD') {
    try {
      body = JSON.parse(response.body) as unknown;
    } catch {
      body = response.body;
    }
  }
  return { status: response.statusCode, path: unquote(pathOf(url)), headers, body };
}
