// The multiauth chain (settings.md §5.2): policies in the order of
// `multiauth.policies`, the first that identifies the request wins, its name
// prefixes the user id, and the group finder adds group principals.
import * as crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
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
/** The digest of the request's Authorization header (`{header, digest}`). */
const DIGEST = 'authorization-digest';

interface IdentityMemo {
  /** Created on demand for a reused identity (most kept answers never wait for it). */
  pending?: Promise<Identity>;
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

/** The identifications of this request and of the batch it belongs to, per Authorization header. */
function requestMemo(request: FastifyRequest): Map<string, IdentityMemo> {
  let memo = request.kinto.bound.get(IDENTITIES) as Map<string, IdentityMemo> | undefined;
  if (!memo) {
    memo = new Map();
    request.kinto.bound.set(IDENTITIES, memo);
  }
  return memo;
}

/**
 * An identification reused by later requests carrying the same Authorization header
 * (the busiest headers of the process): valid until the policy's `reuseUntil`, and
 * while the cache revokes nothing and the permission backend (group memberships) is
 * unchanged — both in-process backends, or there is no reuse.
 */
export interface ReusedIdentity {
  identity: Identity;
  /** Salted digest of the Authorization header: the header itself is never kept. */
  key: string;
  until: number;
  cache: number | undefined;
  permission: number;
}

// `crypto.hash` (Node ≥ 20.12) is a third of an HMAC object's cost; one per authenticated request.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;
const sha256 = oneShotHash
  ? (text: string) => oneShotHash('sha256', text, 'base64url')
  : (text: string) => crypto.createHash('sha256').update(text).digest('base64url');

/** Headers whose identification is kept: the busy clients of a process, a bounded few hundred KB. */
const REUSED_IDENTITIES = 2048;

const ANONYMOUS: Identity = Object.freeze({ userId: null, principals: [EVERYONE], policy: null }) as Identity;

export class MultiAuth {
  /** Prefixed to the digested headers: a secret of this process, so digests mean nothing elsewhere. */
  private readonly digestKey = crypto.randomBytes(32).toString('hex');
  private readonly reused = new LRUCache<string, ReusedIdentity>({ max: REUSED_IDENTITIES });
  /** Every policy reads the Authorization header alone: identifications may be reused. */
  private readonly reusable: boolean;

  private constructor(
    readonly policies: ConfiguredPolicy[],
    private readonly registry: Registry,
  ) {
    this.reusable = policies.length > 0 && policies.every((p) => p.policy.headerOnly === true);
  }

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
    const memo = requestMemo(request);
    let entry = memo.get(header);
    if (!entry) {
      const reused = this.reuse(request, header);
      if (reused) {
        entry = { identity: reused.identity };
        memo.set(header, entry);
      } else {
        const created: IdentityMemo = {};
        created.pending = this.identify(request, header, created);
        memo.set(header, created);
        // A failed identification (provider outage) must not be remembered for the batch.
        created.pending.catch(() => memo.delete(header));
        entry = created;
      }
    }
    return (entry.pending ??= Promise.resolve(entry.identity!));
  }

  /**
   * The identification kept for this Authorization header, when it still holds; it
   * then also serves the rest of the request (and the summary log line).
   */
  reusedIdentity(request: FastifyRequest): ReusedIdentity | undefined {
    const header = request.headers.authorization;
    if (!header) return undefined;
    const reused = this.reuse(request, header);
    if (!reused) return undefined;
    const memo = requestMemo(request);
    if (!memo.has(header)) memo.set(header, { identity: reused.identity });
    return reused;
  }

  /** The key of a header among reused identities: never the header (a credential) itself. */
  private digest(request: FastifyRequest, header: string): string {
    // Computed once per request: a routed read asks for it up to four times (kept-response
    // lookup, authentication, keeping the identity, keeping the response).
    const known = request.kinto.bound.get(DIGEST) as { header: string; digest: string } | undefined;
    if (known?.header === header) return known.digest;
    const digest = sha256(`${this.digestKey}\n${header}`);
    request.kinto.bound.set(DIGEST, { header, digest });
    return digest;
  }

  private reuse(request: FastifyRequest, header: string): ReusedIdentity | undefined {
    if (!this.reusable) return undefined;
    const { cache, permission } = this.registry;
    if (permission.generation === undefined) return undefined;
    const reused = this.reused.get(this.digest(request, header));
    if (!reused) return undefined;
    if (reused.until <= Date.now() || reused.cache !== cache.generation || reused.permission !== permission.generation) return undefined;
    return reused;
  }

  private async identify(request: FastifyRequest, header: string, memo: IdentityMemo): Promise<Identity> {
    // Read before asking: a revocation or membership change meanwhile makes the kept entry stale at once.
    const cacheGeneration = this.registry.cache.generation;
    const permissionGeneration = this.registry.permission.generation;
    for (const { name, prefix, policy } of this.policies) {
      const result = await policy.authenticate(request);
      if (!result) continue;
      const userId = `${prefix}:${result.userId}`;
      const groups = await this.groupPrincipals(userId);
      const principals = unique([userId, EVERYONE, AUTHENTICATED, ...(result.principals ?? []), ...groups]);
      const identity: Identity = { userId, principals, policy: name, profile: result.profile };
      const until = result.reuseUntil;
      if (this.reusable && permissionGeneration !== undefined && until !== undefined && until > Date.now()) {
        const key = this.digest(request, header);
        // Shared by the requests that reuse it: nobody may change it.
        Object.freeze(principals);
        this.reused.set(key, { identity: Object.freeze(identity), key, until, cache: cacheGeneration, permission: permissionGeneration });
      }
      return (memo.identity = identity);
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
