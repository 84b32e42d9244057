// The testing kit that plugins reuse (Kinto's `kinto/core/testing.py`): build a real
// server from settings, make auth headers, and assert Kinto error envelopes.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createKinto, type CreateKintoOptions, type KintoApp } from '../app.js';
import { Settings } from '../settings/load.js';

export { MemoryCache } from '../cache/memory.js';
// Shared backend suites (STYLE §2) and the services they run against.
export { storageSuite, withBackend, type StorageFactory, type SuiteOptions, type TestFunction } from './storage-suite.js';
export { permissionSuite, type PermissionFactory } from './permission-suite.js';
export { cacheSuite, type CacheFactory } from './cache-suite.js';
export { createTestDatabase, postgresqlTestUrl, redisTestUrl, runSql, serviceSkip, uniquePrefix, type TestDatabase } from './services.js';
export { installKintoSchema } from './kinto-schemas.js';
export { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkip } from './browser.js';

/** Settings for tests: memory backends, basicauth, no environment leakage unless asked. */
export function testSettings(values: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Settings {
  return new Settings({ 'multiauth.policies': 'basicauth', log_level: 'silent', ...stringify(values) }, { env });
}

function stringify(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** Builds a server (memory backends unless given) with silent logs; close it in `t.after`. */
export async function buildServer(
  values: Record<string, unknown> = {},
  options: CreateKintoOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<KintoApp> {
  const { env, ...rest } = options;
  return createKinto(testSettings(values, env), { logger: false, ...rest });
}

export function basicAuth(user: string, password = 'secret'): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function bearer(token: string): string {
  return `Bearer ${token}`;
}

export interface ExpectedError {
  code: number;
  errno?: number;
  message?: string | RegExp;
}

/** Asserts a Kinto error envelope: status, errno, message, JSON content type, no null fields. */
export function assertKintoError(response: LightMyRequestResponse | { statusCode: number; headers: Record<string, unknown>; body: string }, expected: ExpectedError): Record<string, unknown> {
  assert.equal(response.statusCode, expected.code, `status ${response.statusCode}: ${response.body}`);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  assert.equal(body.code, expected.code);
  if (expected.errno !== undefined) assert.equal(body.errno, expected.errno);
  if (expected.message instanceof RegExp) assert.match(String(body.message), expected.message);
  else if (expected.message !== undefined) assert.equal(body.message, expected.message);
  for (const key of ['message', 'info', 'details']) assert.notEqual(body[key], null, `${key} must be omitted, not null`);
  return body;
}
