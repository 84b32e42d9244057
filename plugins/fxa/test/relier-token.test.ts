// GET /v1/fxa-oauth/token (fxa.md §9.3, checklist 50–59) and the whole login dance
// against the FxA fixture, with the client secret or PKCE (beyond.md items 2, 3).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KintoApp } from '@kinto-ts/core';
import { assertKintoError } from '@kinto-ts/core/testing';
import { PROTECTED, bearer, fxaSettings, startFxa, startKinto } from './helpers.js';

const TOKEN_URL = 'https://kinto.example.com/v1/fxa-oauth/token';
const SESSION_NOT_FOUND = { code: 408, errno: 104, message: 'The OAuth session was not found, please re-authenticate.' };

async function setup(t: TestContext, options: { public?: boolean; extra?: Record<string, unknown> } = {}) {
  const fxa = await startFxa(t);
  const client = fxa.addClient({
    secret: options.public ? null : undefined,
    redirectUri: TOKEN_URL,
    allowedScopes: ['profile', 'kinto'],
  });
  const kinto = await startKinto(
    t,
    fxaSettings(fxa, {
      'fxa-oauth.client_id': client.id,
      'fxa-oauth.client_secret': client.secret,
      'fxa-oauth.webapp.authorized_domains': '*.example.com',
      ...options.extra,
    }),
  );
  return { fxa, kinto, client };
}

/** Login at Kinto, sign in at the fixture: the token-endpoint URL FxA sends the browser to, and the browser's cookie. */
async function signIn(kinto: KintoApp, redirect: string): Promise<{ path: string; cookie: string; state: string }> {
  const start = await kinto.app.inject({ url: `/v1/fxa-oauth/login?redirect=${encodeURIComponent(redirect)}` });
  assert.equal(start.statusCode, 302, start.body);
  const cookie = String(start.headers['set-cookie']).split(';')[0]!;
  const authorize = await fetch(String(start.headers.location), { redirect: 'manual' });
  assert.equal(authorize.status, 302, await authorize.text());
  const back = new URL(authorize.headers.get('location')!);
  assert.equal(`${back.origin}${back.pathname}`, TOKEN_URL);
  return { path: `${back.pathname}${back.search}`, cookie, state: back.searchParams.get('state')! };
}

test('the dance: login → FxA → token answers 302 to the redirect followed by the access token', async (t) => {
  const { fxa, kinto, client } = await setup(t);
  const { path, cookie } = await signIn(kinto, 'https://app.example.com/?token=');
  const response = await kinto.app.inject({ url: path, headers: { cookie } });
  assert.equal(response.statusCode, 302, response.body);
  const location = String(response.headers.location);
  assert.match(location, /^https:\/\/app\.example\.com\/\?token=[0-9a-f]{64}$/);
  assert.match(String(response.headers['set-cookie']), /^kinto_oauth_state=; .*Max-Age=0/);
  const trade = fxa.bodies.token![0]!;
  assert.deepEqual(Object.keys(trade).sort(), ['client_id', 'client_secret', 'code']);
  assert.equal(trade.client_id, client.id);
  assert.equal(trade.client_secret, client.secret);
  assert.match(String(trade.code), /^[0-9a-f]{64}$/);
  const accessToken = location.slice('https://app.example.com/?token='.length);
  const me = await kinto.app.inject({ url: PROTECTED, headers: bearer(accessToken) });
  assert.equal(JSON.parse(me.body).user, `fxa:${fxa.state.signedInUser}`);
});

test('a public client (no secret) trades the code with its PKCE verifier', async (t) => {
  const { fxa, kinto } = await setup(t, { public: true });
  const { path, cookie } = await signIn(kinto, 'https://app.example.com/#');
  const response = await kinto.app.inject({ url: path, headers: { cookie } });
  assert.equal(response.statusCode, 302, response.body);
  assert.match(String(response.headers.location), /^https:\/\/app\.example\.com\/#[0-9a-f]{64}$/);
  const trade = fxa.bodies.token![0]!;
  assert.equal(trade.client_secret, undefined);
  assert.match(String(trade.code_verifier), /^[A-Za-z0-9_-]{43}$/);
});

test('a token request without a session: 408', async (t) => {
  const { kinto } = await setup(t);
  const body = assertKintoError(await kinto.app.inject({ url: '/v1/fxa-oauth/token?state=abc&code=1234' }), SESSION_NOT_FOUND);
  assert.equal(body.error, 'Request Timeout');
});

test('code or state missing: 400 Required', async (t) => {
  const { kinto } = await setup(t);
  for (const query of ['', '?state=abc', '?code=1234', '?code=&state=']) {
    const response = await kinto.app.inject({ url: `/v1/fxa-oauth/token${query}` });
    assertKintoError(response, { code: 400, errno: 107, message: /Required/ });
  }
  const both = assertKintoError(await kinto.app.inject({ url: '/v1/fxa-oauth/token' }), { code: 400, message: 'code in querystring: Required' });
  assert.deepEqual((both.details as Array<{ name: string }>).map((d) => d.name), ['code', 'state']);
});

test('a state stored for another value, a reused state, a state from another browser: 408', async (t) => {
  const { fxa, kinto } = await setup(t);
  const def = await signIn(kinto, 'https://app.example.com/#');
  const abc = await signIn(kinto, 'https://app.example.com/#');
  // The state `def` exists, but the request names another one.
  const other = def.path.replace(def.state, 'abc');
  assertKintoError(await kinto.app.inject({ url: other, headers: { cookie: def.cookie } }), SESSION_NOT_FOUND);
  // The cookie of one login does not unlock another (login CSRF, beyond.md item 3).
  assertKintoError(await kinto.app.inject({ url: abc.path, headers: { cookie: def.cookie } }), SESSION_NOT_FOUND);
  assertKintoError(await kinto.app.inject({ url: abc.path }), SESSION_NOT_FOUND);
  assert.equal((await kinto.app.inject({ url: def.path, headers: { cookie: def.cookie } })).statusCode, 302);
  assertKintoError(await kinto.app.inject({ url: def.path, headers: { cookie: def.cookie } }), SESSION_NOT_FOUND);
  assert.equal(fxa.calls.token, 1);
});

test('an expired state: 408', async (t) => {
  const { kinto } = await setup(t, { extra: { 'fxa-oauth.state.ttl_seconds': '0.01' } });
  const { path, cookie } = await signIn(kinto, 'https://app.example.com/#');
  await sleep(50);
  assertKintoError(await kinto.app.inject({ url: path, headers: { cookie } }), SESSION_NOT_FOUND);
});

test('with state.bind_cookie = false the state alone is enough (upstream behaviour)', async (t) => {
  const { kinto } = await setup(t, { extra: { 'fxa-oauth.state.bind_cookie': 'false' } });
  const start = await kinto.app.inject({ url: '/v1/fxa-oauth/login?redirect=https://app.example.com/%23' });
  assert.equal(start.headers['set-cookie'], undefined);
  const { path } = await signIn(kinto, 'https://app.example.com/#');
  assert.equal((await kinto.app.inject({ url: path })).statusCode, 302);
});

test('FxA refusing the code: 400 errno 107 on code, and the state is spent', async (t) => {
  const { kinto } = await setup(t);
  const { path, cookie, state } = await signIn(kinto, 'https://app.example.com/#');
  const forged = `/v1/fxa-oauth/token?code=${'0'.repeat(64)}&state=${state}`;
  const body = assertKintoError(await kinto.app.inject({ url: forged, headers: { cookie } }), {
    code: 400,
    errno: 107,
    message: 'Firefox Account code validation failed.',
  });
  assert.deepEqual(body.details, [{ location: 'querystring', name: 'code', description: 'Firefox Account code validation failed.' }]);
  assertKintoError(await kinto.app.inject({ url: path, headers: { cookie } }), SESSION_NOT_FOUND);
});

for (const [what, mode] of [
  ['non-JSON', { kind: 'html-502' }],
  ['a 500 JSON error', { kind: 'server-error' }],
  ['a connection reset', { kind: 'reset' }],
  ['a 200 without access_token', { kind: 'missing', field: 'access_token' }],
] as const) {
  test(`FxA answering ${what} to the trade: 503`, async (t) => {
    const { fxa, kinto } = await setup(t);
    const { path, cookie } = await signIn(kinto, 'https://app.example.com/#');
    fxa.fail('token', mode);
    assertKintoError(await kinto.app.inject({ url: path, headers: { cookie } }), { code: 503, errno: 201 });
  });
}

test('FxA unreachable during the trade: 503', async (t) => {
  const { fxa, kinto } = await setup(t);
  const { path, cookie } = await signIn(kinto, 'https://app.example.com/#');
  await fxa.stop();
  assertKintoError(await kinto.app.inject({ url: path, headers: { cookie } }), { code: 503, errno: 201 });
});

test('two concurrent token requests with one state: one trade, the other 408', async (t) => {
  const { fxa, kinto } = await setup(t);
  const { path, cookie } = await signIn(kinto, 'https://app.example.com/#');
  const [a, b] = await Promise.all([1, 2].map(() => kinto.app.inject({ url: path, headers: { cookie } })));
  assert.deepEqual([a!.statusCode, b!.statusCode].sort(), [302, 408]);
  assert.equal(fxa.calls.token, 1);
});
