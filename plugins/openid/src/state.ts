// Login states (openid.md §7, §10; beyond.md items 2 and 3): random hex stored
// server-side with the callback, bound to the browser by a cookie holding an HMAC
// of provider and state, and carrying a PKCE verifier when the IdP supports S256.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hmacDigest } from '@kinto-ts/core';
import { isObject } from './http-client.js';

export const STATE_COOKIE = 'kinto_oauth_state';

/** Replaceable in tests (upstream tests force the random source to `key`). */
export const randomSource = { hex: (bytes: number): string => randomBytes(bytes).toString('hex') };

/** What `openid:state:{state}` holds: the callback alone (upstream's format), or with the PKCE verifier. */
export type StoredState = string | { callback: string; code_verifier: string };

export function readStoredState(value: unknown): { callback: string; codeVerifier?: string } | null {
  if (typeof value === 'string' && value !== '') return { callback: value };
  if (isObject(value) && typeof value.callback === 'string' && typeof value.code_verifier === 'string') {
    return { callback: value.callback, codeVerifier: value.code_verifier };
  }
  return null;
}

/** RFC 7636: 32 random bytes → a 43-character base64url verifier, and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The cookie value binding `state` to the browser that started the login. */
export function stateBinding(secret: string, provider: string, state: string): string {
  return hmacDigest(secret, `openid-state:${provider}:${state}`);
}

export function sameBinding(expected: string, presented: string | undefined): boolean {
  if (presented === undefined || presented.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(presented));
}

export function stateCookie(value: string, options: { path: string; maxAge: number; secure: boolean }): string {
  return [
    `${STATE_COOKIE}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The value of one cookie from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** openid.md §7.2 step 4: standard base64, then percent-encoding of everything but `A-Za-z0-9_.-~/`. */
export function encodeTokens(body: string): string {
  return Buffer.from(body, 'utf8').toString('base64').replace(/\+/g, '%2B').replace(/=/g, '%3D');
}
