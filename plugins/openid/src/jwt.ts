// The JWT check done when `audience` is set (openid.md §5.3): signature against
// the provider's JWKS, `iss` equal to the discovered issuer, `aud` containing the
// audience, `exp`/`nbf` without leeway, and an explicit allow-list of asymmetric
// algorithms (never `none` or `HS*`, beyond.md item 8).
import { UpstreamError } from '@kinto-ts/core';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import type { DiscoveryDocument } from './discovery.js';

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** The discovery's signing algorithms restricted to asymmetric ones; all of them when it lists none. */
export function allowedAlgorithms(discovery: DiscoveryDocument): string[] {
  const listed = (discovery.id_token_signing_alg_values_supported ?? []).filter((alg) => ASYMMETRIC.includes(alg));
  return listed.length ? listed : ASYMMETRIC;
}

/** The unverified `iss` of a JWT, or undefined when the token is not one (used only for routing). */
export function unverifiedIssuer(token: string): string | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** openid.md §5.3: keys cached 300 s, refetched for an unknown `kid` at most every 10 s (tests shorten the cooldown). */
export const jwksTiming = { cacheMaxAgeMs: 300_000, cooldownMs: 10_000, timeoutMs: 10_000 };

export type JwtVerifier = (token: string) => Promise<JWTPayload | null>;

export function createJwtVerifier(provider: string, discovery: DiscoveryDocument, audience: string): JwtVerifier {
  // One key set per provider, created once; jose collapses concurrent reloads.
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri!), {
    cacheMaxAge: jwksTiming.cacheMaxAgeMs,
    cooldownDuration: jwksTiming.cooldownMs,
    timeoutDuration: jwksTiming.timeoutMs,
  });
  const algorithms = allowedAlgorithms(discovery);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: discovery.issuer, audience, algorithms });
      return payload;
    } catch (error) {
      if (isKeySetOutage(error)) {
        throw new UpstreamError(`OpenID provider '${provider}': JWKS unavailable (${(error as Error).message})`, { cause: error });
      }
      return null;
    }
  };
}

/** A JWKS that cannot be fetched is an outage (503); anything about the token itself is an invalid token. */
function isKeySetOutage(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  // jose's generic error is what it throws for a non-200 or non-JSON key set answer.
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  // fetch() failures (connection refused, DNS) are TypeErrors.
  return error instanceof TypeError;
}
