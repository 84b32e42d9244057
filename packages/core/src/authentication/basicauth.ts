// Kinto's BasicAuthAuthenticationPolicy (settings.md §5.4): any Basic credentials
// are accepted and the user id is HMAC-SHA256(userid_hmac_secret, "user:password").
import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AuthenticationPolicy, PolicyContext } from './policy.js';

export function hmacDigest(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message, 'utf8').digest('hex');
}

export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * Parses `Authorization: Basic <base64(user:password)>`. Anything malformed (no scheme,
 * bad base64, no colon, non-ASCII header, empty) gives null: the request stays anonymous.
 */
export function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  if (!header || header.length > 8192) return null;
  const match = /^Basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i.exec(header);
  if (!match) return null;
  const encoded = match[1]!;
  if (encoded.replace(/=+$/, '').length % 4 === 1) return null;
  const decoded = Buffer.from(encoded, 'base64');
  const text = decoded.toString('utf8');
  if (text.includes('\uFFFD')) return null;
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function basicAuthPolicy(context: PolicyContext): AuthenticationPolicy {
  const secret = context.settings.core.userid_hmac_secret;
  const realm = typeof context.options.realm === 'string' ? context.options.realm : 'Realm';
  return {
    async authenticate(request: FastifyRequest) {
      const credentials = parseBasicAuth(request.headers.authorization);
      if (!credentials || credentials.username === '') return null;
      return { userId: hmacDigest(secret, `${credentials.username}:${credentials.password}`) };
    },
    challenge: () => `Basic realm="${realm}"`,
  };
}
