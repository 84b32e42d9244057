// Kinto's error model (kinto-api.md §11): every error is data — an HTTP status, an
// application errno and an optional message/details — and one handler renders it.
// Plugins throw these, they never build reply bodies themselves.

export const ERRORS = {
  MISSING_AUTH_TOKEN: 104,
  INVALID_AUTH_TOKEN: 105,
  BADJSON: 106,
  INVALID_PARAMETERS: 107,
  MISSING_PARAMETERS: 108,
  INVALID_POSTED_DATA: 109,
  INVALID_RESOURCE_ID: 110,
  MISSING_RESOURCE: 111,
  MISSING_CONTENT_LENGTH: 112,
  REQUEST_TOO_LARGE: 113,
  MODIFIED_MEANWHILE: 114,
  METHOD_NOT_ALLOWED: 115,
  VERSION_NOT_AVAILABLE: 116,
  CLIENT_REACHED_CAPACITY: 117,
  FORBIDDEN: 121,
  CONSTRAINT_VIOLATED: 122,
  BACKEND: 201,
  SERVICE_DEPRECATED: 202,
  UNDEFINED: 999,
} as const;

export type Errno = (typeof ERRORS)[keyof typeof ERRORS];

/** HTTP reason phrases used in the `error` field. */
export const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export type ErrorLocation = 'body' | 'querystring' | 'header' | 'path';

export interface ValidationDetail {
  location: ErrorLocation;
  name: string | null;
  description: string;
}

export interface ErrorBody {
  code: number;
  errno: number;
  error: string;
  message?: string;
  info?: string;
  details?: unknown;
}

export interface KintoErrorOptions {
  errno?: number;
  error?: string;
  message?: string;
  details?: unknown;
  info?: string;
  headers?: Record<string, string | string[]>;
  cause?: unknown;
}

/** An HTTP error rendered in Kinto's envelope `{code, errno, error, message, info, details}`. */
export class KintoError extends Error {
  readonly status: number;
  readonly errno: number;
  readonly error: string;
  readonly details: unknown;
  readonly info: string | undefined;
  readonly headers: Record<string, string | string[]>;

  constructor(status: number, options: KintoErrorOptions = {}) {
    super(options.message ?? '', options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KintoError';
    this.status = status;
    this.errno = options.errno ?? ERRORS.UNDEFINED;
    this.error = options.error ?? REASONS[status] ?? 'Error';
    this.details = options.details;
    this.info = options.info;
    this.headers = options.headers ?? {};
  }

  toJSON(): ErrorBody {
    const body: ErrorBody = { code: this.status, errno: this.errno, error: this.error };
    if (this.message) body.message = this.message;
    if (this.info) body.info = this.info;
    if (this.details !== undefined && this.details !== null && !isEmpty(this.details)) body.details = this.details;
    return body;
  }
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0;
  return value === '';
}

/** Raised by storage, permission and cache backends when they cannot be reached: 503 errno 201. */
export class BackendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendError';
  }
}

/** Raised by an upstream identity provider outage (FxA, OpenID): 503 errno 201, never an anonymous request. */
export class UpstreamError extends BackendError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

function renderDetailMessage(d: ValidationDetail): string {
  if (d.name === null || d.name === '') return d.name === null ? `${d.location}: ${d.description}` : d.description;
  if (d.description.includes(d.name)) return d.description;
  return `${d.name} in ${d.location}: ${d.description}`;
}

/** 400 (or 406/415) errno 107 "Invalid parameters" with the list of problems (kinto-api.md §11.1). */
export function invalidParameters(
  details: ValidationDetail[],
  options: { status?: number; message?: string } = {},
): KintoError {
  const sorted = [...details].sort((a, b) => String(a.name ?? '').localeCompare(String(b.name ?? '')));
  const first = details[0];
  return new KintoError(options.status ?? 400, {
    errno: ERRORS.INVALID_PARAMETERS,
    error: 'Invalid parameters',
    message: options.message ?? (first ? renderDetailMessage(first) : 'Invalid parameters'),
    details: sorted,
  });
}

/** Shorthand for a single invalid parameter. */
export function invalidParameter(location: ErrorLocation, name: string | null, description: string): KintoError {
  return invalidParameters([{ location, name, description }]);
}

export function unauthorized(challenges: string[] = []): KintoError {
  return new KintoError(401, {
    errno: ERRORS.MISSING_AUTH_TOKEN,
    message: 'Please authenticate yourself to use this endpoint.',
    headers: challenges.length ? { 'www-authenticate': challenges } : {},
  });
}

export function forbidden(): KintoError {
  return new KintoError(403, { errno: ERRORS.FORBIDDEN, message: 'This user cannot access this resource.' });
}

export function objectNotFound(id: string, resourceName: string): KintoError {
  return new KintoError(404, { errno: ERRORS.INVALID_RESOURCE_ID, details: { id, resource_name: resourceName } });
}

export function missingParent(id: string, resourceName: string): KintoError {
  return new KintoError(404, { errno: ERRORS.MISSING_RESOURCE, details: { id, resource_name: resourceName } });
}

export function urlNotFound(): KintoError {
  return new KintoError(404, {
    errno: ERRORS.MISSING_RESOURCE,
    message: 'The resource you are looking for could not be found.',
  });
}

export function versionNotAvailable(): KintoError {
  return new KintoError(404, {
    errno: ERRORS.VERSION_NOT_AVAILABLE,
    message: 'The requested API version is not available on this server.',
  });
}

export function methodNotAllowed(allow?: string[]): KintoError {
  return new KintoError(405, {
    errno: ERRORS.METHOD_NOT_ALLOWED,
    message: 'Method not allowed on this endpoint.',
    headers: allow ? { allow: allow.join(', ') } : {},
  });
}

export function preconditionFailed(existing?: Record<string, unknown> | null): KintoError {
  return new KintoError(412, {
    errno: ERRORS.MODIFIED_MEANWHILE,
    message: 'Resource was modified meanwhile',
    details: existing ? { existing } : undefined,
  });
}

export function conflict(message = 'Integrity constraint violated, please retry.', details?: unknown): KintoError {
  return new KintoError(409, { errno: ERRORS.CONSTRAINT_VIOLATED, message, details });
}

export function serviceUnavailable(
  message = 'Service temporary unavailable due to overloading or maintenance, please retry later.',
  cause?: unknown,
): KintoError {
  return new KintoError(503, { errno: ERRORS.BACKEND, message, cause });
}

export function requestTooLarge(): KintoError {
  return new KintoError(413, { errno: ERRORS.REQUEST_TOO_LARGE, message: 'Request body too large.' });
}

export function internalError(info: string, cause?: unknown): KintoError {
  return new KintoError(500, {
    errno: ERRORS.UNDEFINED,
    message: 'A programmatic error occurred, developers have been informed.',
    info,
    cause,
  });
}

/** Start-up failure codes (docs/errors.md). */
export type StartupErrorCode =
  | 'KINTO_ERR_CONFIG_FILE'
  | 'KINTO_ERR_SETTING'
  | 'KINTO_ERR_SETTING_CONFLICT'
  | 'KINTO_ERR_PLUGIN'
  | 'KINTO_ERR_POLICY'
  | 'KINTO_ERR_CAPABILITY'
  | 'KINTO_ERR_BACKEND'
  | 'KINTO_ERR_MIGRATION';

/** An error that stops start-up with one clear line and a non-zero exit. */
export class StartupError extends Error {
  readonly code: StartupErrorCode;
  constructor(code: StartupErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
    this.code = code;
  }
}
