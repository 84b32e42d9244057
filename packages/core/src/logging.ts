// Structured JSON logs (pino, through fastify) with one `request.summary` line per
// request (settings.md §1). Credentials never reach a log line: the Authorization
// header is never logged, and querystring values of OAuth parameters are masked.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { pino, type Logger, type LoggerOptions } from 'pino';

const SECRET_PARAMS = /^(code|state|token|_token|access_token|id_token|refresh_token|client_secret|password|code_verifier)$/i;

/** Whether a querystring parameter carries a secret (its value is never logged nor kept in a key). */
export function isSecretParam(name: string): boolean {
  return SECRET_PARAMS.test(name);
}

/** The querystring with secret-bearing values replaced by `***`. */
export function redactQuery(query: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!query || typeof query !== 'object') return out;
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    out[key] = isSecretParam(key) ? '***' : value;
  }
  return out;
}

const SECRET_FIELDS = ['authorization', 'cookie', 'token', 'access_token', 'id_token', 'refresh_token', 'client_secret', 'password'];

// Several lines a millisecond under load: format each millisecond once.
let lastMs = NaN;
let lastTime = '';

function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

export function loggerOptions(level: string, name: string): LoggerOptions {
  return {
    level,
    name,
    timestamp: isoTime,
    // Explicit paths only: a leading `*` makes pino run every top-level value of
    // every line (the per-request summary included) through the redactor, which
    // cost ~5 % of a cached-token page (docs/performance.md). The summary carries
    // no header and masks its querystring itself (`redactQuery`); these paths
    // guard the other lines: headers objects, secrets passed as top-level fields,
    // and properties of serialised errors.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        ...SECRET_FIELDS,
        ...SECRET_FIELDS.map((field) => `err.${field}`),
        'err.headers.authorization',
        'err.headers.cookie',
      ],
      censor: '***',
    },
    serializers: {
      // Never log whole requests: only what the summary line carries.
      req: (req: { method?: string; url?: string }) => ({ method: req.method, path: req.url?.split('?')[0] }),
    },
  };
}

/**
 * Log lines written to stdout once per turn of the event loop: the lines of every
 * request finished in one turn go out in one write. One write per line cost ~10 %
 * of a record page (docs/performance.md); a line still leaves within the turn that
 * logged it, and whatever is pending is written when the process exits.
 */
export class TurnBufferedStream {
  private lines: string[] = [];
  private scheduled = false;

  constructor(private readonly out: { write(text: string): unknown }) {
    pendingStreams.add(this);
  }

  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= 256) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushTurn);
    }
  }

  private readonly flushTurn = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** Writes what is pending now (pino calls it for fatal logs and on exit). */
  flushSync(): void {
    this.flush();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.out.write(text);
  }
}

const pendingStreams = new Set<TurnBufferedStream>();
process.once('exit', () => {
  for (const stream of pendingStreams) stream.flushSync();
});

/**
 * The server's logger: JSON lines on stdout, written synchronously (sonic-boom
 * retries a full pipe) as Python Kinto does, batched per event-loop turn.
 */
export function defaultLogger(level: string, name: string): Logger {
  return pino(loggerOptions(level, name), new TurnBufferedStream(pino.destination({ dest: 1, sync: true })));
}

/**
 * Whether `request.summary` lines are written: callers skip the work that only
 * feeds the line (waiting for the identity) when they are not.
 */
export function summaryEnabled(log: FastifyBaseLogger): boolean {
  const pinoLike = log as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };
  return typeof pinoLike.isLevelEnabled === 'function' ? pinoLike.isLevelEnabled('info') : log.level !== 'silent';
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
