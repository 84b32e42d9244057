// CORS as Kinto (Cornice) answers it (kinto-api.md §2.7).

export const ALWAYS_EXPOSED = ['Backoff', 'Retry-After', 'Alert', 'Content-Length', 'Content-Type'];

/** Glob matching (`*` only) used by `cors_origins` and the authorized-domain lists of the auth plugins. */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i');
  return re.test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `Access-Control-Allow-Origin` value for `origin`, or null when it is not allowed. */
export function allowedOrigin(origins: string[], origin: string): string | null {
  if (origins.includes('*')) return '*';
  let host = origin;
  try {
    host = new URL(origin).host;
  } catch {
    // keep the raw value
  }
  return origins.some((o) => globMatch(o, origin) || globMatch(o, host)) ? origin : null;
}
