// Login states (fxa.md §9.2–9.3, beyond.md items 2, 3, 6): a random state maps to
// the redirect URL (and the PKCE verifier) under the fixed prefix `fxa-oauth:state:`,
// is consumed atomically by the token endpoint, and is bound to the browser that
// started the login by a cookie holding its HMAC.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cache } from '@kinto-ts/core';

export const STATE_NAMESPACE = 'fxa-oauth:state';
export const STATE_COOKIE = 'kinto_oauth_state';

export interface StoredState {
  redirect: string;
  /** PKCE verifier, when Kinto is a public FxA client (no client secret). */
  codeVerifier?: string;
}

/** 43 base64url characters from 32 random bytes (RFC 7636 §4.1). */
export function createCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** The S256 challenge of a verifier (RFC 7636 §4.2). */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function isStoredState(value: unknown): value is StoredState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.redirect === 'string' && (v.codeVerifier === undefined || typeof v.codeVerifier === 'string');
}

export class StateStore {
  private readonly cache: Cache;

  constructor(
    cache: Cache,
    private readonly ttlSeconds: number,
    private readonly hmacSecret: string,
  ) {
    this.cache = cache.namespace(STATE_NAMESPACE);
  }

  /** Creates a state: 32 lowercase hex characters from a CSPRNG (upstream `uuid4().hex`). A cache failure is a 503. */
  async create(value: StoredState): Promise<string> {
    const state = randomBytes(16).toString('hex');
    await this.cache.set(state, value, this.ttlSeconds);
    return state;
  }

  /** Single use, atomically (fxa.md §9.3 step 2): of two concurrent requests, one gets the value. */
  async consume(state: string): Promise<StoredState | null> {
    const value = await this.cache.pop<unknown>(state);
    return isStoredState(value) ? value : null;
  }

  /** The cookie value binding a state to the browser: a keyed HMAC, so the state itself never sits in the cookie jar. */
  cookieValue(state: string): string {
    return createHmac('sha256', this.hmacSecret).update(`fxa-oauth-state:${state}`).digest('base64url');
  }

  cookieMatches(state: string, cookie: string | undefined): boolean {
    if (cookie === undefined) return false;
    const expected = Buffer.from(this.cookieValue(state));
    const given = Buffer.from(cookie);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/** Reads one cookie from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
