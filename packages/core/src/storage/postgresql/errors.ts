// From PostgreSQL failures to Kinto's errors (kinto-api.md §11): an unreachable or
// failing server is the 503 backend error, a uniqueness or serialisation conflict
// between concurrent writers is 409 errno 122, a value PostgreSQL cannot store is a
// 400 — never a 500 for any of them. Our own SQL mistakes (class 42) stay 500s.
import { BackendError, KintoError, conflict, invalidParameters } from '../../errors.js';

interface PgError {
  code?: string;
  message?: string;
}

/** SQLSTATEs of concurrent writers colliding: unique index, serialisation, deadlock. */
const CONFLICTS = new Set(['23505', '40001', '40P01']);

/** Values PostgreSQL refuses to store (NUL in JSONB strings, lone surrogates, over-long ids). */
const UNSTORABLE = new Set(['22P05', '22P02', '22021', '22003', '22008', '54000']);

const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * Unavailable: 08 (connection), 28 (credentials refused), 3D (no such database), 53 (resources),
 * 57 (operator intervention: shutdown, restart), 58 (system), XX (internal), 25006 (read-only standby).
 */
function isUnavailable(code: string | undefined, message: string): boolean {
  if (code && /^(08|28|3D|53|57|58|XX)/.test(code)) return true;
  if (code === '25006' || code === '25P02') return true;
  if (code && /^[0-9A-Z]{5}$/.test(code)) return false;
  // Node socket errors and pg's own connection messages carry no SQLSTATE.
  return (
    SOCKET_ERRORS.has(code ?? '') ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Client was closed|Cannot use a pool after calling end/i.test(
      message,
    )
  );
}

/** Returns the error to throw for a failure of a PostgreSQL call. */
export function translateError(error: unknown): unknown {
  if (error instanceof KintoError || error instanceof BackendError) return error;
  const { code, message = '' } = (error ?? {}) as PgError;
  if (code && CONFLICTS.has(code)) return conflict(undefined, undefined);
  if (code && UNSTORABLE.has(code)) {
    return invalidParameters([{ location: 'body', name: 'data', description: `value cannot be stored: ${message}` }]);
  }
  if (isUnavailable(code, message)) {
    return new BackendError(`PostgreSQL unavailable: ${message || code}`, { cause: error });
  }
  return error;
}

/** True when the connection itself is broken and must not go back to the pool. */
export function isConnectionError(error: unknown): boolean {
  const { code, message = '' } = (error ?? {}) as PgError;
  if (code && /^(08|57)/.test(code)) return true;
  return !code?.match(/^[0-9A-Z]{5}$/) && isUnavailable(code, message);
}
