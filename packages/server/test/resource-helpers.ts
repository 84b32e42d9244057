// Shared by the resource tests: a real Kinto server (memory backends) driven through
// `inject`, the checklist users A and B (kinto-api.md §15), and JSON helpers.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { basicAuth, testSettings } from '@kinto-ts/core/testing';
import { createBackends, hmacDigest, isMigratable, type KintoApp } from '@kinto-ts/core';
import { pino } from 'pino';
import { createServer, type ServerOptions } from '../src/app.js';

export const A = basicAuth('mat');
export const B = basicAuth('alice');
export const C = basicAuth('carol');
export const A_ID = 'basicauth:8a931a10fc88ab2f6d1cc02a07d3a81b5d4768f6f13e85c5d8d4180419acb1b4';
export const B_ID = 'basicauth:d5b0026601f1b251974e09548d44155e16812e3c64ff7ae053fe3542e2ca1570';
export const C_ID = `basicauth:${hmacDigest('', 'carol:secret')}`;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** Parsed JSON, or the raw text when not JSON. */
  body: any;
  text: string;
}

export interface RequestOptions {
  /** An Authorization header; null for anonymous. Default: user A. */
  auth?: string | null;
  body?: unknown;
  /** A raw payload (not JSON-encoded). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface Client {
  kinto: KintoApp;
  request(method: string, url: string, options?: RequestOptions): Promise<Reply>;
  get(url: string, options?: RequestOptions): Promise<Reply>;
  put(url: string, body?: unknown, options?: RequestOptions): Promise<Reply>;
  post(url: string, body?: unknown, options?: RequestOptions): Promise<Reply>;
  patch(url: string, body?: unknown, options?: RequestOptions): Promise<Reply>;
  delete(url: string, options?: RequestOptions): Promise<Reply>;
}

/**
 * `KINTO_TEST_STORAGE_URL=postgresql://…` runs these suites on the PostgreSQL storage and
 * permission backends (a database of its own: every server starts by flushing it).
 */
function backendSettings(): Record<string, unknown> {
  const url = process.env.KINTO_TEST_STORAGE_URL;
  if (!url) return {};
  return {
    storage_backend: 'kinto.core.storage.postgresql',
    storage_url: url,
    permission_backend: 'kinto.core.permission.postgresql',
    permission_url: url,
  };
}

let migrated: Promise<void> | undefined;

/** Creates the PostgreSQL schemas once per test process (`kinto migrate`). */
function migrate(): Promise<void> {
  migrated ??= (async () => {
    const settings = testSettings(backendSettings());
    const backends = await createBackends({ settings, log: pino({ level: 'silent' }) });
    for (const backend of [backends.storage, backends.permission]) if (isMigratable(backend)) await backend.migrate();
    await Promise.all([backends.storage.close(), backends.permission.close(), backends.cache.close()]);
  })();
  return migrated;
}

/** A Kinto server for one test, closed in `t.after`. */
export async function kintoServer(t: TestContext, values: Record<string, unknown> = {}, options: ServerOptions = {}): Promise<Client> {
  if (process.env.KINTO_TEST_STORAGE_URL) await migrate();
  const kinto = await createServer(testSettings({ ...backendSettings(), ...values }), { logger: false, ...options });
  t.after(() => kinto.close());
  if (process.env.KINTO_TEST_STORAGE_URL) {
    await kinto.registry.storage.flush();
    await kinto.registry.permission.flush();
  }
  return clientOf(kinto);
}

export function clientOf(kinto: KintoApp): Client {
  const request = async (method: string, url: string, options: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    const auth = options.auth === undefined ? A : options.auth;
    if (auth !== null) headers.authorization = auth;
    let payload: string | undefined = options.raw;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await kinto.app.inject({ method: method as 'GET', url, headers, payload });
    let body: unknown = response.body;
    try {
      body = JSON.parse(response.body);
    } catch {
      // not JSON
    }
    assert.notEqual(response.statusCode, 500, `unexpected 500 on ${method} ${url}: ${response.body}`);
    return { status: response.statusCode, headers: response.headers, body, text: response.body };
  };
  return {
    kinto,
    request,
    get: (url, o) => request('GET', url, o),
    put: (url, body, o) => request('PUT', url, { ...o, body }),
    post: (url, body, o) => request('POST', url, { ...o, body }),
    patch: (url, body, o) => request('PATCH', url, { ...o, body }),
    delete: (url, o) => request('DELETE', url, o),
  };
}

/** The accounts plugin, sign-up open to all; fast hashes for tests (one test checks Kinto's default cost of 12). */
export const ACCOUNTS = {
  includes: 'kinto.plugins.accounts',
  'multiauth.policies': 'account',
  'multiauth.policy.account.use': 'kinto.plugins.accounts.AccountsPolicy',
  account_create_principals: 'system.Everyone',
  account_bcrypt_rounds: 4,
};

/** Asserts status (and errno), returning the body. */
export function expectStatus(reply: Reply, status: number, errno?: number): any {
  assert.equal(reply.status, status, `expected ${status}, got ${reply.status}: ${reply.text}`);
  if (errno !== undefined) assert.equal(reply.body.errno, errno, reply.text);
  return reply.body;
}

/** The ETag as a number. */
export function etag(reply: Reply): number {
  const value = String(reply.headers.etag ?? '');
  assert.match(value, /^"\d+"$/);
  return Number(value.slice(1, -1));
}
