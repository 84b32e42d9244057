// Query-string helpers shared by the login and token views (openid.md §7).
import type { CoreSettings, ValidationDetail } from '@kinto-ts/core';
import type { FastifyRequest } from 'fastify';
import type { Provider } from '../provider.js';

/** A query parameter as a string; the last one wins when repeated (WebOb's MultiDict). */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.[name];
  if (Array.isArray(value)) return typeof value.at(-1) === 'string' ? (value.at(-1) as string) : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Required, non-empty string parameter; pushes `Required` otherwise. */
export function required(request: FastifyRequest, name: string, details: ValidationDetail[]): string | undefined {
  const value = queryParam(request, name);
  if (value === undefined || value.trim() === '') {
    details.push({ location: 'querystring', name, description: 'Required' });
    return undefined;
  }
  return value;
}

/** kinto-ts: only enabled providers are valid in URLs (openid.md §7 provider check). */
export function findProvider(
  request: FastifyRequest,
  providers: ReadonlyMap<string, Provider>,
  details: ValidationDetail[],
): Provider | undefined {
  const name = (request.params as { provider?: string }).provider ?? '';
  const provider = providers.get(name);
  if (!provider) details.push({ location: 'path', name: 'provider', description: `Unknown provider '${name}'` });
  return provider;
}

/** `{scheme}://{host}` of this server: `http_scheme`/`http_host` when set, else the request's, default ports dropped. */
export function serverOrigin(request: FastifyRequest, core: Readonly<CoreSettings>): string {
  const scheme = core.http_scheme ?? request.protocol ?? 'http';
  const host = core.http_host ?? request.headers.host ?? 'localhost';
  return new URL(`${scheme}://${host}`).origin;
}

/** The IdP redirect URI: this provider's token endpoint (openid.md §7.1 step 4). */
export function redirectUri(request: FastifyRequest, core: Readonly<CoreSettings>, provider: string): string {
  return `${serverOrigin(request, core)}/v1/openid/${provider}/token`;
}
