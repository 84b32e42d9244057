// Services: Kinto's (Cornice's) per-endpoint machinery in one place. A service is a
// path with handlers per method; it answers OPTIONS preflights, 405 with `Allow`
// for other methods, checks `Accept` and `Content-Type`, parses JSON bodies into
// Kinto's errors and marks the request for CORS headers (kinto-api.md §1.3, §2).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidParameter, invalidParameters, methodNotAllowed } from '../errors.js';
import type { Registry } from '../registry.js';
import { ALWAYS_EXPOSED, allowedOrigin } from './cors.js';
import { parseJsonBody } from './json.js';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];
export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type ServiceHandler = (request: FastifyRequest, reply: FastifyReply) => unknown;

export interface ServiceDefinition {
  /** `bucket-object`, `hello`, … */
  name: string;
  /** Path under `/v1`, fastify syntax: `/buckets/:bid/collections/:id`. */
  path: string;
  methods: Partial<Record<Method, ServiceHandler>>;
  /** Accepted request content types per method; default `application/json` for POST, PUT, PATCH. */
  contentTypes?: Partial<Record<Method, string[]>>;
  /** Refuse with 406 when `Accept` excludes application/json (resource endpoints). */
  checkAccept?: boolean;
  /** Extra exposed headers per method (kinto-api.md §2.7). */
  exposeHeaders?: Partial<Record<Method, string[]>>;
  /** Keep the body as a Buffer instead of parsing JSON. */
  rawBody?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw body, when the service asked for `rawBody`. */
    rawBody?: Buffer;
  }
}

const DEFAULT_CONTENT_TYPES = ['application/json'];

function mediaType(header: string): string {
  return header.split(';')[0]!.trim().toLowerCase();
}

/** True when the Accept header admits application/json (or is absent). */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) return false;
    return type === 'application/json' || type === 'application/*' || type === '*/*';
  });
}

/** Checks the request Content-Type against the accepted ones: 415 errno 107 otherwise. */
function checkContentType(request: FastifyRequest, accepted: string[]): string | undefined {
  const raw = request.headers['content-type'];
  if (raw === undefined) return undefined;
  const header = Array.isArray(raw) ? raw.join(',') : raw;
  const type = mediaType(header);
  const charset = /charset=([^;]+)/i.exec(header)?.[1]?.trim().replace(/"/g, '').toLowerCase();
  const badCharset = charset !== undefined && charset !== 'utf-8' && charset !== 'utf8';
  if (header.includes(',') || badCharset || !accepted.includes(type)) {
    const list = `[${accepted.map((t) => `'${t}'`).join(', ')}]`;
    throw invalidParameters([{ location: 'header', name: 'Content-Type', description: `Content-Type header should be one of ${list}` }], {
      status: 415,
      message: `Content-Type header should be one of ${list}`,
    });
  }
  return type;
}

export function registerService(app: FastifyInstance, registry: Registry, service: ServiceDefinition, prefix = '/v1'): void {
  const settings = registry.settings.core;
  const enabled = Object.fromEntries(
    Object.entries(service.methods).filter(([method]) => !(settings.readonly && WRITE_METHODS.has(method))),
  ) as Partial<Record<Method, ServiceHandler>>;
  const allowed = Object.keys(enabled) as Method[];
  if (enabled.GET && !enabled.HEAD) allowed.splice(allowed.indexOf('GET') + 1, 0, 'HEAD');
  const allowHeader = [...allowed, 'OPTIONS'];

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    // `/v1/buckets/` matches `/buckets/:id` with an empty id: it is no route of Kinto's,
    // so the not-found logic answers (trailing-slash redirect, 404; kinto-api.md §1.2, §11.4).
    const params = request.params as Record<string, string> | undefined;
    if (params && Object.values(params).some((value) => value === '')) return reply.callNotFound();
    request.kinto.service = service.name;
    const method = request.method as Method | 'OPTIONS';
    if (method === 'OPTIONS') return preflight(request, reply, registry, allowHeader);

    const origin = request.headers.origin;
    if (origin !== undefined && allowedOrigin(settings.cors_origins, origin) === null) {
      throw invalidParameter('header', 'Origin', `${origin} not allowed`);
    }
    const run = enabled[method as Method] ?? (method === 'HEAD' ? enabled.GET : undefined);
    if (!run) throw methodNotAllowed(allowHeader);
    request.kinto.exposeHeaders = service.exposeHeaders?.[method as Method];

    if (service.checkAccept && !acceptsJson(request.headers.accept)) {
      throw invalidParameters([{ location: 'header', name: 'Accept', description: "Accept header should be one of ['application/json']" }], {
        status: 406,
        message: "Accept header should be one of ['application/json']",
      });
    }
    const buffer = request.body as Buffer | undefined;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      checkContentType(request, service.contentTypes?.[method] ?? DEFAULT_CONTENT_TYPES);
    }
    if (service.rawBody) {
      request.rawBody = buffer;
      request.body = undefined;
    } else {
      request.body = Buffer.isBuffer(buffer) ? parseJsonBody(buffer, settings.max_json_depth) : undefined;
    }
    const result = await run(request, reply);
    if (reply.sent) return reply;
    return result;
  };

  app.route({
    method: [...METHODS, 'OPTIONS'],
    url: prefix + service.path,
    handler,
  });
}

/** CORS preflight (kinto-api.md §2.7): no authentication, 200 `null` with the Access-Control-* headers. */
function preflight(request: FastifyRequest, reply: FastifyReply, registry: Registry, allow: string[]) {
  const settings = registry.settings.core;
  const origin = request.headers.origin;
  const requested = request.headers['access-control-request-method'];
  if (origin === undefined) throw invalidParameter('header', 'Origin', 'this header is mandatory');
  if (requested === undefined) throw invalidParameter('header', 'Access-Control-Request-Method', 'this header is mandatory');
  if (allowedOrigin(settings.cors_origins, origin) === null) throw invalidParameter('header', 'Origin', `${origin} not allowed`);
  if (!allow.includes(String(requested).toUpperCase())) {
    throw invalidParameter('header', 'Access-Control-Request-Method', 'Method not allowed');
  }
  const requestedHeaders = String(request.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  reply.header('access-control-allow-methods', allow.filter((m) => m !== 'OPTIONS').join(','));
  reply.header('access-control-allow-headers', [...new Set([...ALWAYS_EXPOSED, ...requestedHeaders])].join(','));
  if (settings.cors_max_age_seconds !== null) reply.header('access-control-max-age', String(settings.cors_max_age_seconds));
  reply.code(200).type('application/json');
  return reply.send('null');
}
