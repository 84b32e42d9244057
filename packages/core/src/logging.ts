// Structured JSON logs (pino, through fastify) with one `request.summary` line per
// request (settings.md §1). Credentials never reach a log line: the Authorization
// header is never logged, and querystring values of OAuth parameters are masked.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

const SECRET_PARAMS = /^(code|state|token|_token|access_token|id_token|refresh_token|client_secret|password|code_verifier)$/i;

/** The querystring with secret-bearing values replaced by `***`. */
export function redactQuery(query: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!query || typeof query !== 'object') return out;
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    out[key] = SECRET_PARAMS.test(key) ? '***' : value;
  }
  return out;
}

export function loggerOptions(level: string, name: string): LoggerOptions {
  return {
    level,
    name,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        '*.authorization',
        '*.token',
        '*.access_token',
        '*.client_secret',
        '*.password',
      ],
      censor: '***',
    },
    serializers: {
      // Never log whole requests: only what the summary line carries.
      req: (req: { method?: string; url?: string }) => ({ method: req.method, path: req.url?.split('?')[0] }),
    },
  };
}

/** One line per request, as Kinto's `request.summary` logger. */
export function logSummary(request: FastifyRequest, reply: FastifyReply, uid: string | null, authnType: string | null): void {
  const path = (request.raw.url ?? request.url).split('?')[0];
  request.log.info(
    {
      logger: 'request.summary',
      agent: request.headers['user-agent'],
      path,
      method: request.method,
      lang: request.headers['accept-language'],
      rid: request.kinto?.requestId,
      errno: request.kinto?.errno ?? 0,
      code: reply.statusCode,
      t: Math.round(reply.elapsedTime),
      uid,
      authn_type: authnType,
      querystring: redactQuery(request.query),
    },
    'request.summary',
  );
}
