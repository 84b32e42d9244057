// Kinto's BasicAuthAuthenticationPolicy (settings.md §5.4): any Basic credentials
// are accepted and the user id is HMAC-SHA256(userid_hmac_secret, "user:password").
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AuthenticationPolicy, PolicyContext } from './policy.js';

// A KeyObject skips OpenSSL's key import on every call: ~20 % of an HMAC, paid by
// every authenticated request (docs/performance.md). Secrets are a handful of
// settings values; the bound only guards odd callers.
const keys = new Map<string, KeyObject>();

function secretKey(secret: string): KeyObject | string {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 100) return secret;
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

/** HMAC-SHA256 of `message` (UTF-8) keyed with `secret`, as lowercase hex. */
export function hmacDigest(secret: string, message: string, encoding: 'hex' | 'base64url' = 'hex'): string {
  return createHmac('sha256', secretKey(secret)).update(message, 'utf8').digest(encoding);
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
    headerOnly: true,
    async authenticate(request: FastifyRequest) {
      const credentials = parseBasicAuth(request.headers.authorization);
      if (!credentials || credentials.username === '') return null;
      // A pure function of the header and the secret: reusable for as long as the process lives.
      return { userId: hmacDigest(secret, `${credentials.username}:${credentials.password}`), reuseUntil: Infinity };
    },
    challenge: () => `Basic realm="${realm}"`,
  };
}
