// FxA outages are 503 with Retry-After, never a logout or a 500 (fxa.md §6,
// checklist 16–18; beyond.md items 11 and 15), and everything recovers by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertKintoError } from '@kinto-ts/core/testing';
import type { FailureMode } from './fixtures/fxa-server/server.js';
import { PROTECTED, bearer, fxaSettings, hello, startFxa, startKinto } from './helpers.js';

const UNAVAILABLE = {
  code: 503,
  errno: 201,
  message: 'Service temporary unavailable due to overloading or maintenance, please retry later.',
};

const MODES: Array<[string, FailureMode]> = [
  ['a 502 HTML page', { kind: 'html-502' }],
  ['a non-JSON 200', { kind: 'non-json-200' }],
  ['a 500 JSON error', { kind: 'server-error' }],
  ['a 200 without client_id', { kind: 'missing', field: 'client_id' }],
  ['a 200 without user', { kind: 'missing', field: 'user' }],
  ['a 200 without scope', { kind: 'missing', field: 'scope' }],
  ['a 200 whose scope is a string', { kind: 'scope-string' }],
  ['a connection reset', { kind: 'reset' }],
];

for (const [what, mode] of MODES) {
  test(`/verify answering ${what}: 503 errno 201 with Retry-After`, async (t) => {
    const fxa = await startFxa(t);
    const kinto = await startKinto(t, fxaSettings(fxa));
    fxa.fail('verify', mode);
    const token = await fxa.mint({ scope: ['kinto'] });
    for (const url of ['/v1/', PROTECTED]) {
      const response = await kinto.app.inject({ url, headers: bearer(token) });
      const body = assertKintoError(response, UNAVAILABLE);
      assert.equal(body.error, 'Service Unavailable');
      assert.equal(response.headers['retry-after'], '3');
    }
  });
}

test('FxA slower than request_timeout_seconds: 503', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa, { 'fxa-oauth.request_timeout_seconds': '0.2' }));
  fxa.fail('verify', { kind: 'delay', ms: 5000 });
  const response = await kinto.app.inject({ url: PROTECTED, headers: bearer(await fxa.mint({ scope: ['kinto'] })) });
  assertKintoError(response, UNAVAILABLE);
});

test('Retry-After follows retry_after_seconds', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa, { retry_after_seconds: '7' }));
  fxa.fail('verify', { kind: 'server-error' });
  const response = await kinto.app.inject({ url: PROTECTED, headers: bearer('1'.repeat(64)) });
  assert.equal(response.headers['retry-after'], '7');
});

test('an outage is not cached: the same token works once FxA answers again', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ user: 'u', scope: ['kinto'] });
  fxa.fail('verify', { kind: 'server-error' });
  assert.equal((await hello(kinto, token)).status, 503);
  fxa.heal();
  assert.equal((await hello(kinto, token)).status, 200);
});

test('FxA stopped: new tokens 503, cached ones keep working, heartbeat false; FxA back: all recovers', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const known = await fxa.mint({ user: 'known', scope: ['kinto'] });
  const fresh = await fxa.mint({ user: 'fresh', scope: ['kinto'] });
  assert.equal((await hello(kinto, known)).status, 200);
  const healthy = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(JSON.parse(healthy.body).oauth, true);

  await fxa.stop();
  assertKintoError(await kinto.app.inject({ url: PROTECTED, headers: bearer(fresh) }), UNAVAILABLE);
  const cached = await kinto.app.inject({ url: PROTECTED, headers: bearer(known) });
  assert.equal(cached.statusCode, 200);
  assert.equal(JSON.parse(cached.body).user, 'fxa:known');
  const down = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(down.statusCode, 503);
  assert.equal(JSON.parse(down.body).oauth, false);

  await fxa.start();
  const back = await kinto.app.inject({ url: PROTECTED, headers: bearer(fresh) });
  assert.equal(back.statusCode, 200);
  assert.equal(JSON.parse(back.body).user, 'fxa:fresh');
  const up = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(up.statusCode, 200);
  assert.equal(JSON.parse(up.body).oauth, true);
});

test('FxA unreachable (connection refused): 503', async (t) => {
  const kinto = await startKinto(t, {
    includes: 'kinto_fxa',
    'multiauth.policies': 'fxa',
    'multiauth.policy.fxa.use': 'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy',
    'fxa-oauth.oauth_uri': 'http://127.0.0.1:9/v1',
    'fxa-oauth.required_scope': 'kinto',
  });
  assertKintoError(await kinto.app.inject({ url: '/v1/', headers: bearer('2'.repeat(64)) }), UNAVAILABLE);
});
