// The identity providers the token scenarios verify against, run in the driver
// process on 127.0.0.1: the FxA fixture of plugins/fxa's tests and the loopback
// OpenID provider of plugins/openid's tests (reused, not rewritten). Each is
// optional: when a plugin or its fixture is not in the checkout, its scenarios
// are skipped with the reason.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../../', import.meta.url);
const path = (relative: string) => fileURLToPath(new URL(relative, ROOT));

const FXA_PLUGIN = path('plugins/fxa/src/index.ts');
const OPENID_PLUGIN = path('plugins/openid/src/index.ts');
const FXA_FIXTURE = path('plugins/fxa/test/fixtures/fxa-server/server.ts');
const LOOPBACK_IDP = path('plugins/openid/test/helpers/loopback-idp.ts');

/** What the bench needs from the FxA fixture. */
export interface FxaUpstream {
  oauthUri: string;
  /** Calls to `POST /v1/verify` so far. */
  verifyCalls(): number;
  /** A new opaque token of a new user, with the scope Kinto requires. */
  mint(): Promise<string>;
  /** Delays every verification by `ms` (null: answer at once), so that concurrent first uses surely overlap. */
  delayVerify(ms: number | null): void;
  stop(): Promise<void>;
}

export interface OpenIdUpstream {
  issuer: string;
  /** Calls to the userinfo endpoint so far. */
  userinfoCalls(): number;
  /** A new access token of a new user, known to userinfo. */
  token(): string;
  stop(): Promise<void>;
}

// The parts of the fixtures the bench uses (typed here so that the bench does not
// typecheck the other packages' test helpers).
interface FakeFxaLike {
  oauthUri: string;
  calls: { verify: number };
  mint(options: { user: string; scope: string[] }): Promise<string>;
  fail(endpoint: 'verify', mode: { kind: 'delay'; ms: number }): void;
  heal(endpoint: 'verify'): void;
  stop(): Promise<void>;
}
interface LoopbackIdpLike {
  issuer: string;
  users: Map<string, Record<string, unknown>>;
  count(path: string): number;
}

export type Started<T> = { ok: true; value: T } | { ok: false; reason: string };

function why(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

export const FXA_SCOPE = 'kinto';

export async function startFxa(): Promise<Started<FxaUpstream>> {
  if (!existsSync(FXA_PLUGIN) || !existsSync(FXA_FIXTURE)) return { ok: false, reason: 'the FxA plugin or its fixture server is not in the checkout' };
  try {
    const { startFakeFxa } = (await import(FXA_FIXTURE)) as { startFakeFxa: () => Promise<FakeFxaLike> };
    const fxa = await startFakeFxa();
    let user = 0;
    return {
      ok: true,
      value: {
        oauthUri: fxa.oauthUri,
        verifyCalls: () => fxa.calls.verify,
        mint: () => fxa.mint({ user: (++user).toString(16).padStart(32, '0'), scope: [FXA_SCOPE] }),
        delayVerify: (ms) => (ms === null ? fxa.heal('verify') : fxa.fail('verify', { kind: 'delay', ms })),
        stop: () => fxa.stop(),
      },
    };
  } catch (error) {
    return { ok: false, reason: `the FxA fixture did not start: ${why(error)}` };
  }
}

export async function startOpenId(): Promise<Started<OpenIdUpstream>> {
  if (!existsSync(OPENID_PLUGIN) || !existsSync(LOOPBACK_IDP)) return { ok: false, reason: 'the OpenID plugin or its loopback provider is not in the checkout' };
  try {
    const { startLoopbackIdp } = (await import(LOOPBACK_IDP)) as { startLoopbackIdp: (t: { after(fn: () => unknown): void }) => Promise<LoopbackIdpLike> };
    const cleanups: Array<() => unknown> = [];
    const idp = await startLoopbackIdp({ after: (fn) => void cleanups.push(fn) });
    let user = 0;
    return {
      ok: true,
      value: {
        issuer: idp.issuer,
        userinfoCalls: () => idp.count('/userinfo'),
        token() {
          const id = ++user;
          const token = `bench-openid-token-${id}-${Math.random().toString(36).slice(2)}`;
          idp.users.set(token, { sub: `user${id}`, email: `user${id}@example.com`, email_verified: true });
          return token;
        },
        async stop() {
          for (const cleanup of cleanups) await cleanup();
        },
      },
    };
  } catch (error) {
    return { ok: false, reason: `the loopback OpenID provider did not start: ${why(error)}` };
  }
}
