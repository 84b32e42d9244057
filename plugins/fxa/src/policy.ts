// The FxA OAuth authentication policy (fxa.md §4): Bearer token → verification →
// scope routing to a client → user id `{uid}` or `{uid}-{client}`.
import type { AuthenticationPolicy, AuthResult, Logger, PolicyContext } from '@kinto-ts/core';
import { DEFAULT_CLIENT, type RoutingEntry } from './config.js';
import { scopeMatches } from './scopes.js';
import type { TokenVerifier } from './verifier.js';

/** Extra principal of named clients: literal `fxa:`, whatever the policy name, so grants span a user's apps. */
export const SHARED_PRINCIPAL_PREFIX = 'fxa:';

/** The only option upstream accepts (fxa.md §1). */
const KNOWN_OPTIONS = new Set(['realm']);

/** `Bearer TOKEN` → TOKEN; anything else (no space, other scheme) → null (fxa.md §4 step 1). */
export function bearerToken(header: string | undefined): string | null {
  const value = header ?? '';
  const space = value.indexOf(' ');
  if (space < 0) return null;
  if (value.slice(0, space).toLowerCase() !== 'bearer') return null;
  return value.slice(space + 1);
}

/**
 * The routing entry a token's scopes select (steps 4–5), or null. An ambiguous
 * token (its scopes include every scope of several entries) is refused.
 */
export function routeToken(routing: readonly RoutingEntry[], scopes: readonly string[], log: Logger): RoutingEntry | null {
  const match = routing.find((entry) => scopeMatches(scopes, entry.scopes));
  if (!match) return null;
  const granted = new Set(scopes);
  const candidates = routing.filter((entry) => entry.scopes.length > 0 && entry.scopes.every((s) => granted.has(s)));
  if (candidates.length > 1) {
    log.warn({ clients: candidates.map((c) => c.client) }, 'Invalid FxA token: its scope matches multiple config');
    return null;
  }
  return match;
}

export interface PolicyDeps {
  verifier: TokenVerifier;
  routing: readonly RoutingEntry[];
}

export function createFxaPolicy(context: PolicyContext, deps: PolicyDeps): AuthenticationPolicy {
  for (const option of Object.keys(context.options)) {
    if (!KNOWN_OPTIONS.has(option)) {
      // Upstream crashes on an unexpected keyword; a warning is enough (fxa.md §1).
      context.log.warn(`kinto-fxa: ignoring unknown option multiauth.policy.${context.name}.${option}`);
    }
  }
  const realmOption = context.options.realm;
  const realm = realmOption === undefined || realmOption === null ? 'Realm' : String(realmOption);

  // Tokens carry few distinct scope sets: their routing entry is kept per set. Refusals
  // are not kept, so an ambiguous token is logged every time it is used.
  const routes = new Map<string, RoutingEntry>();
  const route = (scopes: readonly string[]): RoutingEntry | null => {
    const key = JSON.stringify(scopes);
    const known = routes.get(key);
    if (known) return known;
    const entry = routeToken(deps.routing, scopes, context.log);
    if (entry && routes.size < 1000) routes.set(key, entry);
    return entry;
  };

  return {
    // The Authorization header alone decides: the chain may reuse answers until `reuseUntil`.
    headerOnly: true,
    async authenticate(request): Promise<AuthResult | null> {
      const token = bearerToken(request.headers.authorization);
      // An empty token cannot be valid: no need to ask FxA (it answers 400 errno 109).
      if (!token) return null;
      const verification = await deps.verifier.verify(token);
      if (!verification) return null;
      const { profile, reuseUntil } = verification;
      const entry = route(profile.scope);
      if (!entry) return null;
      if (entry.client === DEFAULT_CLIENT) return { userId: profile.user, reuseUntil };
      return { userId: `${profile.user}-${entry.client}`, principals: [`${SHARED_PRINCIPAL_PREFIX}${profile.user}`], reuseUntil };
    },
    challenge() {
      return `Bearer realm="${realm}"`;
    },
  };
}
