// The accounts authentication policy (kinto-api.md B4, settings.md §5.4): Basic
// credentials checked against the stored account's bcrypt hash. A success is
// remembered in the cache so that a busy client does not pay one bcrypt per request:
// key HMAC(userid_hmac_secret, "accounts:<username>:verified"), value HMAC(key, password),
// TTL `account_cache_ttl_seconds`, refreshed on each hit. Neither the username nor
// the password appears in clear in a key or a value.
import {
  hmacDigest,
  ObjectNotFoundError,
  parseBasicAuth,
  type AuthenticationPolicy,
  type Cache,
  type Logger,
  type PolicyContext,
  type Storage,
} from '@kinto-ts/core';
import { timingSafeEqual } from 'node:crypto';
import { verifyPassword } from './passwords.js';

/** The user id prefix of accounts, whatever the policy is called in `multiauth.policies` (settings.md §5.3). */
export const ACCOUNT_POLICY_NAME = 'account';

/** The names `multiauth.policy.<name>.use` may give (Python's two dotted paths and ours). */
export const POLICY_NAMES = [
  'kinto.plugins.accounts.AccountsPolicy',
  'kinto.plugins.accounts.authentication.AccountsAuthenticationPolicy',
  '@kinto-ts/server/accounts',
] as const;

/** Account ids (kinto-api.md §3.1): emails allowed. */
export const ACCOUNT_ID_PATTERN = /^[a-zA-Z0-9][+.@a-zA-Z0-9_-]*$/;

export function accountCacheKey(secret: string, username: string): string {
  return hmacDigest(secret, `accounts:${username}:verified`);
}

export interface AccountVerifierOptions {
  storage: Storage;
  cache: Cache;
  log: Logger;
  secret: string;
  ttlSeconds: number;
}

/** Checks credentials against stored accounts, with the B4 verification cache and one bcrypt per burst. */
export class AccountVerifier {
  private readonly inflight = new Map<string, Promise<boolean>>();

  constructor(private readonly options: AccountVerifierOptions) {}

  async verify(username: string, password: string): Promise<boolean> {
    if (!ACCOUNT_ID_PATTERN.test(username)) return false;
    const { cache, secret, ttlSeconds } = this.options;
    const key = accountCacheKey(secret, username);
    const expected = hmacDigest(key, password);
    const cached = await this.readCache(key);
    if (typeof cached === 'string' && sameDigest(cached, expected)) {
      await this.quietly(() => cache.expire(key, ttlSeconds));
      return true;
    }
    // Concurrent requests with the same new credentials share one bcrypt.
    const flight = `${key}:${expected}`;
    let pending = this.inflight.get(flight);
    if (!pending) {
      pending = this.check(username, password, key, expected);
      this.inflight.set(flight, pending);
      const forget = () => this.inflight.delete(flight);
      pending.then(forget, forget);
    }
    return pending;
  }

  /** Drops the cached verification of an account (its password changed or it was deleted). */
  async forget(username: string): Promise<void> {
    await this.quietly(() => this.options.cache.delete(accountCacheKey(this.options.secret, username)));
  }

  private async check(username: string, password: string, key: string, expected: string): Promise<boolean> {
    let account;
    try {
      account = await this.options.storage.get('account', username, username);
    } catch (error) {
      // A backend outage propagates (503), it never makes the request anonymous.
      if (error instanceof ObjectNotFoundError) return false;
      throw error;
    }
    // Accounts awaiting validation (Python's account_validation) cannot log in yet.
    if (account.validated === false) return false;
    if (!(await verifyPassword(password, account.password))) return false;
    if (this.options.ttlSeconds > 0) await this.quietly(() => this.options.cache.set(key, expected, this.options.ttlSeconds));
    return true;
  }

  private async readCache(key: string): Promise<unknown> {
    try {
      return await this.options.cache.get(key);
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'accounts: cache read failed, checking the password hash');
      return undefined;
    }
  }

  // The cache only saves work: its failures never fail a request.
  private async quietly(operation: () => Promise<unknown>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'accounts: cache write failed');
    }
  }
}

function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The policy factory registered under POLICY_NAMES. */
export function accountsPolicy(verifier: AccountVerifier) {
  return (context: PolicyContext): AuthenticationPolicy => {
    const realm = typeof context.options.realm === 'string' ? context.options.realm : 'Realm';
    return {
      name: ACCOUNT_POLICY_NAME,
      async authenticate(request) {
        const credentials = parseBasicAuth(request.headers.authorization);
        if (!credentials || credentials.username === '') return null;
        const ok = await verifier.verify(credentials.username, credentials.password);
        return ok ? { userId: credentials.username } : null;
      },
      challenge: () => `Basic realm="${realm}"`,
    };
  };
}
