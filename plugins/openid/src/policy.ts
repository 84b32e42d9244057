// The OpenIDConnectPolicy (openid.md §4): `Authorization: {header_type} {token}`
// verified at the provider (JWT first when `audience` is set), cached, and turned
// into the user id `{userinfo[userid_field]}` that the chain prefixes with NAME.
import type { AuthenticationPolicy, AuthResult } from '@kinto-ts/core';
import type { FastifyRequest } from 'fastify';
import { sameIssuer } from './discovery.js';
import { unverifiedIssuer } from './jwt.js';
import type { Provider } from './provider.js';
import { fetchUserinfo } from './userinfo.js';
import { verificationDigest, type Payload, type Verified } from './verification-cache.js';

/** Python's `str()` of a userinfo value (openid.md §4 step 8); null means anonymous. */
export function formatUserId(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return null;
}

/** Splits `Authorization` on its first space; null when the scheme is not ours (openid.md §4 step 1). */
export function bearerToken(header: string | undefined, headerType: string): string | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  if (space < 0) return null;
  if (header.slice(0, space).toLowerCase() !== headerType.toLowerCase()) return null;
  const token = header.slice(space + 1);
  return token === '' ? null : token;
}

const MEMO = 'openid:verifications';

export function openIdPolicy(provider: Provider, others: () => Provider[]): AuthenticationPolicy {
  const { settings } = provider;

  /**
   * beyond.md item 5: a JWT naming another enabled provider's issuer is never sent
   * to this one (its userinfo would see a foreign token, and its outage would fail
   * requests meant for the other provider).
   */
  function issuedElsewhere(token: string): boolean {
    const iss = unverifiedIssuer(token);
    if (iss === undefined) return false;
    const ours = sameIssuer(iss, settings.issuer) || sameIssuer(iss, provider.discovery.issuer);
    if (ours) return false;
    return others().some((p) => p !== provider && (sameIssuer(iss, p.settings.issuer) || sameIssuer(iss, p.discovery.issuer)));
  }

  async function verify(token: string): Promise<{ payload: Payload; ttlSeconds: number } | null> {
    let ttlSeconds = settings.verificationTtlSeconds;
    if (provider.verifyJwt) {
      const claims = await provider.verifyJwt(token);
      if (!claims) return null;
      // beyond.md item 7: never trust a verification beyond the token's own expiry.
      if (typeof claims.exp === 'number') ttlSeconds = Math.max(1, Math.min(ttlSeconds, Math.floor(claims.exp - Date.now() / 1000)));
    }
    const payload = await fetchUserinfo(provider.http, provider.discovery.userinfo_endpoint, token, { provider: settings.name, log: provider.log });
    return payload ? { payload, ttlSeconds } : null;
  }

  function userIdOf(payload: Payload): string | null {
    if (settings.useridField === 'email') {
      // beyond.md item 9: an address the IdP did not verify is not an identity.
      const verified = payload.email_verified;
      if (verified !== undefined && verified !== true && verified !== 'true') return null;
      if (settings.requireEmailVerified && verified === undefined) return null;
    }
    return formatUserId(payload[settings.useridField]);
  }

  return {
    // The Authorization header alone decides: the chain may reuse answers until `reuseUntil`.
    headerOnly: true,
    async authenticate(request: FastifyRequest): Promise<AuthResult | null> {
      const token = bearerToken(request.headers.authorization, settings.headerType);
      if (token === null || issuedElsewhere(token)) return null;
      const digest = verificationDigest(provider.secret, settings.issuer, settings.clientId, settings.audience, token);
      // Per-request memo shared with batch sub-requests (openid.md §4 step 2).
      let memo = request.kinto.bound.get(MEMO) as Map<string, Promise<Verified | null>> | undefined;
      if (!memo) request.kinto.bound.set(MEMO, (memo = new Map()));
      const memoKey = `${settings.name}:${digest}`;
      let pending = memo.get(memoKey);
      if (!pending) {
        pending = provider.verifications.resolve(digest, () => verify(token));
        memo.set(memoKey, pending);
        // An outage is not remembered: the next sub-request may find the IdP back.
        pending.catch(() => memo!.delete(memoKey));
      }
      const verified = await pending;
      if (!verified) return null;
      const userId = userIdOf(verified.payload);
      return userId === null ? null : { userId, profile: verified.payload, reuseUntil: verified.reuseUntil };
    },
    challenge: () => `${settings.headerType} realm="${settings.realm}"`,
    // openid.md §6: the provider in `GET /v1/__api__`.
    securityDefinition: () => ({ type: 'oauth2', authorizationUrl: provider.discovery.authorization_endpoint }),
  };
}
