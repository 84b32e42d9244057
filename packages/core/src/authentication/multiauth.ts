// The multiauth chain (settings.md §5.2): policies in the order of
// `multiauth.policies`, the first that identifies the request wins, its name
// prefixes the user id, and the group finder adds group principals.
import type { FastifyRequest } from 'fastify';
import { StartupError } from '../errors.js';
import type { Identity } from '../http/context.js';
import type { Registry } from '../registry.js';
import type { AuthenticationPolicy } from './policy.js';

export const EVERYONE = 'system.Everyone';
export const AUTHENTICATED = 'system.Authenticated';

export interface ConfiguredPolicy {
  /** The name in `multiauth.policies`. */
  name: string;
  /** The user id prefix: the policy's own `name`, else the configured name lower-cased. */
  prefix: string;
  policy: AuthenticationPolicy;
}

const IDENTITIES = 'identities';

interface IdentityMemo {
  pending: Promise<Identity>;
  /** Set once identified: read synchronously by the summary log line. */
  identity?: Identity;
}

/**
 * The identity already established for the request's Authorization header (by the
 * request itself or a sub-request of its batch), without waiting; undefined when
 * none was (anonymous requests, refusals before authentication, failures).
 */
export function knownIdentity(request: FastifyRequest): Identity | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const memo = request.kinto?.bound.get(IDENTITIES) as Map<string, IdentityMemo> | undefined;
  return memo?.get(header)?.identity;
}

const ANONYMOUS: Identity = Object.freeze({ userId: null, principals: [EVERYONE], policy: null }) as Identity;

export class MultiAuth {
  private constructor(
    readonly policies: ConfiguredPolicy[],
    private readonly registry: Registry,
  ) {}

  /** Builds every policy listed in `multiauth.policies` from the registered factories. */
  static async build(registry: Registry): Promise<MultiAuth> {
    const settings = registry.settings;
    const names = settings.core['multiauth.policies'];
    const policies: ConfiguredPolicy[] = [];
    for (const name of names) {
      const use = settings.get(`multiauth.policy.${name}.use`);
      const key = typeof use === 'string' && use !== '' ? use : name;
      const factory = registry.policyFactories.get(key);
      if (!factory) {
        const hint =
          use === undefined
            ? `policy '${name}' has no settings (multiauth.policy.${name}.use) and is not a registered policy`
            : `multiauth.policy.${name}.use = ${String(use)}: no such policy (is its plugin in kinto.includes?)`;
        throw new StartupError('KINTO_ERR_POLICY', hint + (settings.iniPath ? ` in ${settings.iniPath}` : ''));
      }
      const { use: _use, ...options } = settings.withPrefix(`multiauth.policy.${name}.`);
      const policy = await factory({ name, options, settings, cache: registry.cache, log: registry.log });
      policies.push({ name, prefix: policy.name ?? name.toLowerCase(), policy });
    }
    return new MultiAuth(policies, registry);
  }

  /** The `WWW-Authenticate` challenges, in policy order. */
  challenges(): string[] {
    const out: string[] = [];
    for (const p of this.policies) {
      const c = p.policy.challenge();
      if (c) out.push(c);
    }
    return out;
  }

  /**
   * Identifies the request once: the result is shared with the rest of the request and
   * with the other sub-requests of its batch carrying the same Authorization header.
   */
  authenticate(request: FastifyRequest): Promise<Identity> {
    const header = request.headers.authorization;
    if (!header || this.policies.length === 0) return Promise.resolve(ANONYMOUS);
    let memo = request.kinto.bound.get(IDENTITIES) as Map<string, IdentityMemo> | undefined;
    if (!memo) {
      memo = new Map();
      request.kinto.bound.set(IDENTITIES, memo);
    }
    let entry = memo.get(header);
    if (!entry) {
      const created: IdentityMemo = { pending: undefined as unknown as Promise<Identity> };
      created.pending = this.identify(request, created);
      memo.set(header, created);
      // A failed identification (provider outage) must not be remembered for the batch.
      created.pending.catch(() => memo!.delete(header));
      entry = created;
    }
    return entry.pending;
  }

  private async identify(request: FastifyRequest, memo: IdentityMemo): Promise<Identity> {
    for (const { name, prefix, policy } of this.policies) {
      const result = await policy.authenticate(request);
      if (!result) continue;
      const userId = `${prefix}:${result.userId}`;
      const groups = await this.groupPrincipals(userId);
      const principals = unique([userId, EVERYONE, AUTHENTICATED, ...(result.principals ?? []), ...groups]);
      return (memo.identity = { userId, principals, policy: name, profile: result.profile });
    }
    return (memo.identity = ANONYMOUS);
  }

  private async groupPrincipals(userId: string): Promise<string[]> {
    const permission = this.registry.permission;
    if (permission.getUsersPrincipals) return permission.getUsersPrincipals([userId, AUTHENTICATED]);
    const [own, everyone] = await Promise.all([permission.getUserPrincipals(userId), permission.getUserPrincipals(AUTHENTICATED)]);
    return [...own, ...everyone];
  }

}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
