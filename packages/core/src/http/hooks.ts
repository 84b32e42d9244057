// Request-wide behaviour: end of service, read-only mode, the headers every
// response carries (CSP, Backoff, Alert, Retry-After, CORS), the one error handler
// rendering Kinto's envelope, and the version-prefix / trailing-slash redirects.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  BackendError,
  ERRORS,
  KintoError,
  internalError,
  invalidParameters,
  methodNotAllowed,
  requestTooLarge,
  serviceUnavailable,
  urlNotFound,
  versionNotAvailable,
} from '../errors.js';
import type { MultiAuth } from '../authentication/multiauth.js';
import type { Registry } from '../registry.js';
import { createContext } from './context.js';
import { KeptResponses } from './kept-responses.js';
import { ALWAYS_EXPOSED, allowedOrigin } from './cors.js';
import { serializeJson } from './json.js';
import { WRITE_METHODS } from './service.js';

const CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; ";

/** The absolute URL of the API root with trailing slash, honouring `http_scheme`/`http_host`. */
export function rootUrl(request: FastifyRequest, registry: Registry): string {
  return `${baseUrl(request, registry)}/v1/`;
}

export function baseUrl(request: FastifyRequest, registry: Registry): string {
  const { http_scheme, http_host } = registry.settings.core;
  const scheme = http_scheme ?? request.protocol ?? 'http';
  const host = http_host ?? request.headers.host ?? `${registry.settings.core.host}:${registry.settings.core.port}`;
  return `${scheme}://${host}`;
}

export function endOfService(registry: Registry): { hard: boolean; alert: Record<string, unknown> } | null {
  const { eos, eos_message, eos_url, project_docs } = registry.settings.core;
  if (!eos) return null;
  const date = Date.parse(eos);
  if (Number.isNaN(date)) return null;
  // `eos` today or in the past is a hard end of life (kinto-api.md §12).
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const hard = date <= Date.now() || date <= today.getTime();
  return { hard, alert: { code: hard ? 'hard-eol' : 'soft-eol', message: eos_message, url: eos_url ?? project_docs } };
}

/** Headers of every response (kinto-api.md §2.5, §2.7, §12), errors included. */
export function addCommonHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  registry: Registry,
  eos: ReturnType<typeof endOfService> = endOfService(registry),
): void {
  const settings = registry.settings.core;
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  if (settings.backoff !== null) {
    if (settings.backoff_percentage === null || Math.random() * 100 < settings.backoff_percentage) {
      reply.header('backoff', String(settings.backoff));
    }
  }
  const alert = eos?.alert ?? request.kinto?.alert;
  if (alert) reply.header('alert', JSON.stringify(alert));
  const status = reply.statusCode;
  if (status === 503 || status === 409) reply.header('retry-after', String(settings.retry_after_seconds));
  const origin = request.headers.origin;
  if (origin !== undefined && request.kinto?.service) {
    const allowed = allowedOrigin(settings.cors_origins, origin);
    if (allowed !== null) {
      reply.header('access-control-allow-origin', allowed);
      const exposed = status < 400 ? (request.kinto.exposeHeaders ?? []) : [];
      reply.header('access-control-expose-headers', [...ALWAYS_EXPOSED, ...exposed].join(', '));
    }
  }
  // Kinto answers `application/json` without a charset parameter (kinto-api.md §2.2).
  const type = reply.getHeader('content-type');
  if (type === 'application/json; charset=utf-8') reply.header('content-type', 'application/json');
  if (status === 304) {
    reply.removeHeader('content-type');
    reply.removeHeader('cache-control');
    reply.removeHeader('expires');
  }
}

export function installHooks(app: FastifyInstance, registry: Registry, multiauth: () => MultiAuth | undefined): void {
  const settings = registry.settings.core;
  const eos = endOfService(registry);
  const kept = new KeptResponses(registry.storage, registry.permission, multiauth);

  app.decorateRequest('kinto', null as never);

  // Callback-style hooks: these run on every request and never wait for anything,
  // so they skip the promise and microtask an async hook costs (docs/performance.md).
  app.addHook('onRequest', (request, reply, done) => {
    request.kinto = createContext(request);
    if (eos?.hard) {
      return done(
        new KintoError(410, {
          errno: ERRORS.SERVICE_DEPRECATED,
          message: 'The service you are trying to connect no longer exists at this location.',
        }),
      );
    }
    if (settings.readonly && WRITE_METHODS.has(request.method)) return done(methodNotAllowed());
    const from = kept.keepFrom(request);
    if (from) {
      request.kinto.keepFrom = from;
      // Answered: the remaining request hooks and the route do not run.
      if (kept.serve(request, reply, from)) return;
    }
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    try {
      // Before the common headers: those are added to a kept answer each time it is sent.
      if (request.kinto?.keepable) kept.keep(request, reply, payload);
      addCommonHeaders(request, reply, registry, eos);
    } catch (error) {
      return done(error as Error);
    }
    done(null, payload);
  });

  app.setErrorHandler((error: FastifyError | KintoError | Error, request, reply) => {
    const kintoError = toKintoError(error, registry);
    if (kintoError.status >= 500) {
      const log = kintoError.status === 503 ? request.log.warn.bind(request.log) : request.log.error.bind(request.log);
      log({ err: error }, kintoError.status === 503 ? 'backend unavailable' : 'unexpected error');
    }
    return sendError(request, reply, kintoError);
  });

  app.setNotFoundHandler(async (request, reply) => {
    request.kinto ??= createContext(request);
    return notFound(request, reply, registry);
  });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: KintoError) {
  if (request.kinto) request.kinto.errno = error.errno;
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  // Serialised here so that no path (router errors skip onSend) adds a charset parameter.
  reply.code(error.status).header('content-type', 'application/json');
  return reply.send(Buffer.from(serializeJson(error.toJSON())));
}

/** Anything thrown becomes a KintoError: backend outages 503, fastify's own errors 4xx, the rest 500. */
export function toKintoError(error: unknown, registry: Registry | undefined): KintoError {
  if (error instanceof KintoError) return error;
  if (error instanceof BackendError) return serviceUnavailable(undefined, error);
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return requestTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return invalidParameters([{ location: 'body', name: '', description: fastifyError.message }]);
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new KintoError(400, { errno: ERRORS.INVALID_PARAMETERS, message: 'Invalid URL path.' });
    default:
      break;
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new KintoError(status, { errno: ERRORS.INVALID_PARAMETERS, message: fastifyError.message });
  }
  return internalError(registry?.settings.core.error_info_link ?? 'https://github.com/Kinto/kinto/issues/', error);
}

function redirect(reply: FastifyReply, location: string, ttl: number) {
  reply.code(307).header('location', location).type('text/plain; charset=UTF-8');
  if (ttl >= 0) {
    reply.header('cache-control', `max-age=${ttl}`);
    reply.header('expires', new Date(Date.now() + ttl * 1000).toUTCString());
  }
  const path = new URL(location).pathname;
  return reply.send(`307 Temporary Redirect\n\nThe resource has been moved to ${path}; you should be redirected automatically.\n\n`);
}

/** Unknown routes (kinto-api.md §1.1, §1.2): redirects, else 404 errno 111/116. */
function notFound(request: FastifyRequest, reply: FastifyReply, registry: Registry) {
  const settings = registry.settings.core;
  const rawUrl = request.raw.url ?? request.url;
  const q = rawUrl.indexOf('?');
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  const query = q >= 0 ? rawUrl.slice(q) : '';
  let base: string;
  try {
    base = baseUrl(request, registry);
    new URL(base);
  } catch {
    return sendError(request, reply, new KintoError(400, { errno: ERRORS.INVALID_PARAMETERS, message: 'Invalid Host header.' }));
  }
  const versioned = /^\/v\d+(\/|$)/.exec(path);
  if (!versioned) {
    // Encoded CR/LF must never reach a Location header (kinto-api.md §1.1).
    if (!settings.version_prefix_redirect_enabled || /%0[ad](?!$)|%0d$/i.test(path)) {
      return sendError(request, reply, versionNotAvailable());
    }
    if (request.method === 'OPTIONS') {
      reply.code(200);
      return reply.send();
    }
    return redirect(reply, `${base}/v1${path}${query}`, settings.version_prefix_redirect_ttl_seconds);
  }
  if (!path.startsWith('/v1/') && path !== '/v1') return sendError(request, reply, versionNotAvailable());
  if (settings.trailing_slash_redirect_enabled) {
    if (path === '/v1') return redirect(reply, `${base}/v1/${query}`, settings.trailing_slash_redirect_ttl_seconds);
    if (path.endsWith('/') && path !== '/v1/') {
      const stripped = path.replace(/\/+$/, '');
      return redirect(reply, `${base}${stripped}${query}`, settings.trailing_slash_redirect_ttl_seconds);
    }
  }
  return sendError(request, reply, urlNotFound());
}
