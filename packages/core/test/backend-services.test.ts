// Service-backed suites (STYLE §10): skipped with a clear message where the service
// is absent, but an error under CI=true.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceSkip } from '../src/testing/index.js';

test('an absent service skips its suites with a message, and fails them under CI=true', async (t) => {
  const saved = { url: process.env.KINTO_TEST_REDIS_URL, ci: process.env.CI };
  t.after(() => {
    for (const [key, value] of [['KINTO_TEST_REDIS_URL', saved.url], ['CI', saved.ci]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  process.env.KINTO_TEST_REDIS_URL = 'redis://127.0.0.1:1/0';
  delete process.env.CI;
  assert.match(String(await serviceSkip('redis')), /^redis is not reachable at 127\.0\.0\.1:1 \(set KINTO_TEST_REDIS_URL to use another server\): skipped$/);
  process.env.CI = 'true';
  await assert.rejects(serviceSkip('redis'), /redis is not reachable at 127\.0\.0\.1:1 .*CI=true requires it/);
});
