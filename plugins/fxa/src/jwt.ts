// Local verification of FxA JWT access tokens (fxa.md §5.2, §11.4; beyond.md item 14).
// PyFxA downloads `/v1/jwks` on every cache miss, opaque tokens included; we only
// look at JWT-shaped tokens and keep the key set in memory.
import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { UpstreamError } from '@kinto-ts/core';
import type { TokenProfile } from './oauth-client.js';

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KEYS_MAX_AGE_MS = 300_000;
/** FxA serves its JWKS with `max-age=10` (mozilla/fxa #5411): refetch for an unknown `kid` at most that often. */
const UNKNOWN_KID_COOLDOWN_MS = 10_000;

export type JwtOutcome = { kind: 'valid'; profile: TokenProfile; expiresAt: number } | { kind: 'invalid'; reason: string } | { kind: 'not-jwt' };

interface KeySet {
  fetchedAt: number;
  keys: JWK[];
  imported: Map<JWK, Awaited<ReturnType<typeof importJWK>>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `at+jwt` or `application/at+jwt`, any case; a typ without `/` means `application/` + typ. */
function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return (lower.includes('/') ? lower : `application/${lower}`) === 'application/at+jwt';
}

export class JwksVerifier {
  private keySet: KeySet | null = null;
  private pending: Promise<KeySet> | null = null;

  constructor(private readonly fetchKeys: () => Promise<unknown>) {}

  /** Verifies a JWT-shaped token; `not-jwt` sends the caller to `/verify`. Throws UpstreamError when keys cannot be fetched. */
  async verify(token: string): Promise<JwtOutcome> {
    if (!JWS_COMPACT.test(token)) return { kind: 'not-jwt' };
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { kind: 'not-jwt' };
    }
    if (header.alg !== 'RS256') return { kind: 'invalid', reason: `algorithm ${String(header.alg)}` };
    if (!isAccessTokenType(header.typ)) return { kind: 'invalid', reason: `typ ${String(header.typ)}` };

    let keySet = await this.keys(false);
    // PyFxA: no key at all means the server issues no JWTs: ask /verify.
    if (keySet.keys.length === 0) return { kind: 'not-jwt' };
    const kid = header.kid;
    if (kid !== undefined && !keySet.keys.some((k) => k.kid === kid) && Date.now() - keySet.fetchedAt >= UNKNOWN_KID_COOLDOWN_MS) {
      keySet = await this.keys(true); // a rotation may have published a new key
    }
    const candidates = keySet.keys.filter((k) => kid === undefined || k.kid === kid);
    for (const jwk of candidates) {
      let key = keySet.imported.get(jwk);
      try {
        if (!key) {
          key = await importJWK(jwk, 'RS256');
          keySet.imported.set(jwk, key);
        }
      } catch {
        continue; // an unusable key in the set (another kty) is skipped, as PyFxA does
      }
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], typ: 'at+jwt', requiredClaims: ['exp'] });
        return toOutcome(payload);
      } catch (error) {
        if (error instanceof joseErrors.JWSSignatureVerificationFailed) continue;
        if (error instanceof joseErrors.JOSEError) return { kind: 'invalid', reason: error.code };
        throw error;
      }
    }
    return { kind: 'invalid', reason: 'signed by no known key' };
  }

  /** The cached key set, fetched when absent, stale or `refresh`; concurrent fetches are collapsed into one. */
  private async keys(refresh: boolean): Promise<KeySet> {
    const current = this.keySet;
    if (current && !refresh && Date.now() - current.fetchedAt < KEYS_MAX_AGE_MS) return current;
    this.pending ??= this.fetch().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetch(): Promise<KeySet> {
    const body = await this.fetchKeys();
    if (!isRecord(body) || !Array.isArray(body.keys)) throw new UpstreamError('FxA GET /jwks: no key list in the answer');
    const keys = body.keys.filter((k): k is JWK => isRecord(k) && typeof k.kty === 'string');
    this.keySet = { fetchedAt: Date.now(), keys, imported: new Map() };
    return this.keySet;
  }
}

function toOutcome(payload: JWTPayload): JwtOutcome {
  const { sub, client_id: clientId, scope, exp } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof clientId !== 'string') {
    // A token signed by FxA without these claims is out of protocol (PyFxA OutOfProtocolError).
    throw new UpstreamError('FxA JWT access token: sub or client_id missing');
  }
  const profile: TokenProfile = {
    user: sub,
    client_id: clientId,
    scope: typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [],
  };
  const generation = payload['fxa-generation'];
  const changed = payload['fxa-profileChangedAt'];
  if (typeof generation === 'number') profile.generation = generation;
  if (typeof changed === 'number') profile.profile_changed_at = changed;
  return { kind: 'valid', profile, expiresAt: typeof exp === 'number' ? exp * 1000 : Infinity };
}
