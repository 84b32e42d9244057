// Shared test helpers: a real Kinto server (the `@kinto-ts/server` factory, settings
// given as the `.ini` would give them), the FxA fixture, captured log lines, and a
// cache backend that records keys and can be switched to failing.
import type { TestContext } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { MemoryCache, MemoryPermission, MemoryStorage, definePlugin, unauthorized, type Cache, type KintoApp } from '@kinto-ts/core';
import { testSettings } from '@kinto-ts/core/testing';
import { createServer } from '@kinto-ts/server';
import { startFakeFxa, type FakeFxa } from './fixtures/fxa-server/server.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger whose JSON lines are kept in memory. */
export function captureLogs(): { logger: ReturnType<typeof pino>; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export async function startFxa(t: TestContext): Promise<FakeFxa> {
  const fxa = await startFakeFxa();
  t.after(() => fxa.stop());
  return fxa;
}

/** The settings of kinto-fxa's README, pointed at the fixture. */
export function fxaSettings(fxa: FakeFxa, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    includes: `kinto_fxa ${PROTECTED_PLUGIN}`,
    'multiauth.policies': 'fxa basicauth',
    'multiauth.policy.fxa.use': 'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy',
    'fxa-oauth.oauth_uri': fxa.oauthUri,
    'fxa-oauth.required_scope': 'kinto',
    'fxa-oauth.requested_scope': 'profile kinto',
    ...extra,
  };
}

/** A view that needs an authenticated user, as Kinto's resources do (`GET /v1/protected`). */
export const PROTECTED_PLUGIN = 'test-protected';
export const PROTECTED = '/v1/protected';
const protectedPlugin = definePlugin({
  name: PROTECTED_PLUGIN,
  includeme(api) {
    api.service({
      name: 'protected',
      path: '/protected',
      methods: {
        GET: async (request) => {
          // Twice, as Kinto's resource views do (permission check, then the view itself).
          await api.authenticate(request);
          const identity = await api.authenticate(request);
          if (!identity.userId) throw unauthorized(api.challenges());
          return { user: identity.userId, principals: identity.principals };
        },
      },
    });
  },
});

export interface ServerOptions {
  cache?: Cache;
  logs?: ReturnType<typeof captureLogs>;
}

/** A real server with memory backends; closed by `t.after`. */
export async function startKinto(t: TestContext, values: Record<string, unknown>, options: ServerOptions = {}): Promise<KintoApp> {
  const settings = testSettings(values);
  const backends = options.cache
    ? { storage: new MemoryStorage(), permission: new MemoryPermission(), cache: options.cache }
    : undefined;
  const kinto = await createServer(settings, {
    logger: options.logs?.logger ?? false,
    backends,
    plugins: { [PROTECTED_PLUGIN]: protectedPlugin },
  });
  t.after(() => kinto.close());
  return kinto;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export async function hello(kinto: KintoApp, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await kinto.app.inject({ url: '/v1/', headers: bearer(token) });
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

export function userOf(body: Record<string, unknown>): { id?: string; principals?: string[]; bucket?: string } | undefined {
  return body.user as { id?: string; principals?: string[]; bucket?: string } | undefined;
}

/**
 * A cache backend for tests: the real MemoryCache, with every written key and value
 * recorded (to scan for raw tokens) and operations that can be made to throw.
 */
export class InspectableCache implements Cache {
  readonly written: Array<{ key: string; value: unknown }> = [];
  failing = new Set<'get' | 'set' | 'delete' | 'pop'>();
  /** Reads of every namespace. */
  reads = 0;
  /**
   * False (default): behaves as a cache other processes share (no `generation`), so no
   * answer is reused without reading it. True: the in-process memory cache it wraps.
   */
  local = false;

  constructor(
    private readonly inner: Cache = new MemoryCache({ maxSizeBytes: 10_000_000 }),
    private readonly prefix = '',
    private readonly root?: InspectableCache,
  ) {}

  private get top(): InspectableCache {
    return this.root ?? this;
  }

  private check(operation: 'get' | 'set' | 'delete' | 'pop'): void {
    if (this.top.failing.has(operation)) throw new Error(`cache ${operation} is down (test)`);
  }

  initialize() { return this.inner.initialize(); }
  heartbeat() { return this.inner.heartbeat(); }
  get generation(): number | undefined {
    return this.top.local ? this.inner.generation : undefined;
  }
  async get<T = unknown>(key: string) {
    this.check('get');
    this.top.reads++;
    return this.inner.get<T>(key);
  }
  async set(key: string, value: unknown, ttl: number) {
    this.check('set');
    this.top.written.push({ key: this.prefix + key, value });
    return this.inner.set(key, value, ttl);
  }
  async delete<T = unknown>(key: string) {
    this.check('delete');
    return this.inner.delete<T>(key);
  }
  async pop<T = unknown>(key: string) {
    this.check('pop');
    return this.inner.pop<T>(key);
  }
  expire(key: string, ttl: number) { return this.inner.expire(key, ttl); }
  ttl(key: string) { return this.inner.ttl(key); }
  flush() { return this.inner.flush(); }
  close() { return this.inner.close(); }
  namespace(name: string): Cache {
    return new InspectableCache(this.inner.namespace(name), `${this.prefix}${name}:`, this.top);
  }
}
