// Authentication policies (settings.md §5): each extracts a raw user id from a
// request or returns null; the multiauth chain tries them in order.
import type { FastifyRequest } from 'fastify';
import type { Cache } from '../cache/index.js';
import type { Settings } from '../settings/load.js';
import type { Logger } from '../logger.js';

export interface AuthResult {
  /** Raw user id; the chain prefixes it with the policy name (`fxa:` + userId). */
  userId: string;
  /** Extra principals, already complete (`fxa:{uid}` for a named FxA client). */
  principals?: string[];
  /** The user profile shown in hello `user.profile` (OpenID userinfo). */
  profile?: Record<string, unknown>;
  /**
   * Until when (epoch ms) the same Authorization header identifies the same way without
   * asking anyone again: the policy's own cache TTL (FxA, OpenID), Infinity for a pure
   * function of the header (Basic). Absent: every request asks the policy. Only read
   * from `headerOnly` policies; the chain also stops reusing when the cache, storage or
   * permission backend revokes or changes anything (authentication/multiauth.ts).
   */
  reuseUntil?: number;
}

export interface AuthenticationPolicy {
  /** When set, overrides the configured name as user id prefix (Accounts: `account`). */
  readonly name?: string;
  /**
   * True when `authenticate` reads nothing of the request but its Authorization header
   * (and backends): its answers, null included, may then be reused for the same header.
   */
  readonly headerOnly?: boolean;
  /**
   * Identifies the request or returns null (anonymous for this policy: the next one is tried).
   * Throw UpstreamError (503) when the identity provider cannot answer: never treat an outage as anonymous.
   */
  authenticate(request: FastifyRequest): Promise<AuthResult | null>;
  /** The `WWW-Authenticate` value sent with 401 answers, e.g. `Basic realm="Realm"`. */
  challenge(): string | null;
  /** The OpenAPI `securityDefinitions` entry (OpenID: `{type: 'oauth2', authorizationUrl}`); default from the challenge. */
  securityDefinition?(): Record<string, unknown>;
}

export interface PolicyContext {
  /** The name in `multiauth.policies` (`fxa`, `google`). */
  name: string;
  /** Every `multiauth.policy.<name>.<option>` except `use`, JSON-decoded. */
  options: Record<string, unknown>;
  settings: Settings;
  cache: Cache;
  log: Logger;
}

export type PolicyFactory = (context: PolicyContext) => AuthenticationPolicy | Promise<AuthenticationPolicy>;
