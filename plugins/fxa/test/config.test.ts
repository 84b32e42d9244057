// Settings and start-up checks (fxa.md §1–§3, checklist 29–34).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StartupError } from '@kinto-ts/core';
import { captureLogs, fxaSettings, startFxa, startKinto } from './helpers.js';
import type { TestContext } from 'node:test';

const NOTES = 'https://identity.mozilla.org/apps/notes';

async function startupError(t: TestContext, values: Record<string, unknown>): Promise<StartupError> {
  try {
    await startKinto(t, values);
  } catch (error) {
    assert.ok(error instanceof StartupError, String(error));
    return error;
  }
  assert.fail('start-up should have failed');
}

const BASE = { includes: 'kinto_fxa', 'multiauth.policies': 'fxa', 'multiauth.policy.fxa.use': 'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy', 'fxa-oauth.oauth_uri': 'http://127.0.0.1:1/v1' };

test('two clients requiring the same scope stop start-up', async (t) => {
  const error = await startupError(t, {
    ...BASE,
    'fxa-oauth.clients.notes.required_scope': NOTES,
    'fxa-oauth.clients.notes2.required_scope': NOTES,
  });
  assert.match(error.message, new RegExp(`${NOTES} is already required for another config\\.`));
  assert.equal(error.code, 'KINTO_ERR_SETTING');
});

test('two clients whose required scopes differ only in order stop start-up too', async (t) => {
  const error = await startupError(t, {
    ...BASE,
    'fxa-oauth.clients.a.required_scope': `profile ${NOTES}`,
    'fxa-oauth.clients.b.required_scope': `${NOTES}  profile profile`,
  });
  assert.match(error.message, /is already required for another config\./);
});

test('the default client and a named one cannot require the same scope', async (t) => {
  const error = await startupError(t, { ...BASE, 'fxa-oauth.required_scope': 'kinto', 'fxa-oauth.clients.a.required_scope': 'kinto' });
  assert.match(error.message, /kinto is already required for another config\./);
});

test('a dotted client name stops start-up with a clear message', async (t) => {
  const error = await startupError(t, { ...BASE, 'fxa-oauth.clients.a.b.client_id': 'c73e46074a948932' });
  assert.match(error.message, /fxa-oauth\.clients\.a\.b\.client_id/);
  assert.match(error.message, /NAME/);
});

test('the client name default is reserved', async (t) => {
  const error = await startupError(t, { ...BASE, 'fxa-oauth.clients.default.required_scope': 'kinto' });
  assert.match(error.message, /'default' is reserved/);
});

for (const key of ['fxa-oauth.required_scope', 'fxa-oauth.clients.notes.required_scope']) {
  test(`an empty ${key} stops start-up`, async (t) => {
    for (const value of ['', '   ']) {
      const error = await startupError(t, { ...BASE, [key]: value });
      assert.match(error.message, /is empty/);
      assert.ok(error.message.includes(key));
    }
  });
}

test('fxa-oauth.scope is deprecated and sets both requested and required scopes', async (t) => {
  const fxa = await startFxa(t);
  const logs = captureLogs();
  const kinto = await startKinto(
    t,
    fxaSettings(fxa, {
      'fxa-oauth.scope': 'kinto',
      'fxa-oauth.requested_scope': 'profile',
      'fxa-oauth.required_scope': 'other',
      'fxa-oauth.client_id': 'c73e46074a948932',
      'fxa-oauth.client_secret': 'b'.repeat(64),
      'fxa-oauth.webapp.authorized_domains': '*.example.com',
    }),
    { logs },
  );
  const text = '"fxa-oauth.scope" is now deprecated. Please use "fxa-oauth.requested_scope" and "fxa-oauth.required_scope" instead.';
  assert.equal(logs.lines.filter((l) => l.msg === text && l.level === 40).length, 1);
  const params = JSON.parse((await kinto.app.inject({ url: '/v1/fxa-oauth/params' })).body);
  assert.equal(params.scope, 'kinto');
  const login = await kinto.app.inject({ url: '/v1/fxa-oauth/login?redirect=https://app.example.com/%23' });
  assert.match(String(login.headers.location), /&scope=kinto$/);
  const token = await fxa.mint({ user: 'u1', scope: ['kinto'] });
  const hello = JSON.parse((await kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${token}` } })).body);
  assert.equal(hello.user?.id, 'fxa:u1');
});

test('defaults are filled: relier enabled, cache_ttl_seconds 300', async (t) => {
  const kinto = await startKinto(t, { includes: 'kinto_fxa', 'multiauth.policies': 'basicauth' });
  const settings = kinto.registry.settings;
  assert.equal(settings.get('fxa-oauth.relier.enabled'), true);
  assert.equal(settings.get('fxa-oauth.cache_ttl_seconds'), 300);
  assert.equal(settings.get('fxa-oauth.requested_scope'), 'profile');
  assert.equal(settings.get('fxa-oauth.heartbeat_timeout_seconds'), 3);
  assert.equal(settings.get('fxa-oauth.state.ttl_seconds'), 3600);
  assert.equal((await kinto.app.inject({ url: '/v1/fxa-oauth/login' })).statusCode, 400, 'relier routes registered');
});

test('environment variables override fxa-oauth settings like core ones', async (t) => {
  const { createServer } = await import('@kinto-ts/server');
  const { testSettings } = await import('@kinto-ts/core/testing');
  const kinto = await createServer(testSettings({ includes: 'kinto_fxa' }, { FXA_OAUTH_CACHE_TTL_SECONDS: '12', KINTO_FXA_OAUTH_RELIER_ENABLED: 'false' }), { logger: false });
  t.after(() => kinto.close());
  assert.equal(kinto.registry.settings.get('fxa-oauth.cache_ttl_seconds'), 12);
  assert.equal((await kinto.app.inject({ url: '/v1/fxa-oauth/login' })).statusCode, 404);
});

test('warnings: no oauth_uri (production FxA), no required_scope, profile-only scopes, unknown policy option', async (t) => {
  const logs = captureLogs();
  await startKinto(
    t,
    { includes: 'kinto_fxa', 'multiauth.policies': 'fxa', 'multiauth.policy.fxa.use': 'kinto_fxa', 'multiauth.policy.fxa.colour': 'blue' },
    { logs },
  );
  const messages = logs.lines.filter((l) => l.level === 40).map((l) => l.msg);
  assert.ok(messages.some((m) => m.includes('https://oauth.accounts.firefox.com/v1')), messages.join('\n'));
  assert.ok(messages.some((m) => m.includes('no required_scope configured: every FxA token will be rejected')));
  assert.ok(messages.some((m) => m.includes('multiauth.policy.fxa.colour')));

  const more = captureLogs();
  await startKinto(t, { ...BASE, 'fxa-oauth.required_scope': 'profile:email' }, { logs: more });
  assert.ok(more.lines.some((l) => l.msg.includes('only requires profile scopes')));
});

test('the policy is registered under its npm name and its Python names', async (t) => {
  for (const use of ['@kinto-ts/fxa', 'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy', 'kinto_fxa']) {
    const kinto = await startKinto(t, { ...BASE, includes: '@kinto-ts/fxa', 'multiauth.policy.fxa.use': use, 'fxa-oauth.required_scope': 'kinto' });
    assert.deepEqual(kinto.multiauth.challenges(), ['Bearer realm="Realm"']);
  }
});
