// GET /v1/fxa-oauth/login and /params (fxa.md §9.1, §9.2, §9.4; checklist 39–49).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertKintoError } from '@kinto-ts/core/testing';
import { STATE_NAMESPACE } from '../src/index.js';
import { InspectableCache, captureLogs, fxaSettings, startFxa, startKinto } from './helpers.js';
import type { FakeFxa } from './fixtures/fxa-server/server.js';

const CLIENT_ID = '89513028159972bc';

function relier(fxa: FakeFxa, extra: Record<string, unknown> = {}) {
  return fxaSettings(fxa, {
    'fxa-oauth.client_id': CLIENT_ID,
    'fxa-oauth.client_secret': 'c'.repeat(64),
    'fxa-oauth.requested_scope': 'kinto profile',
    'fxa-oauth.webapp.authorized_domains': '*.firefox.com *.whitelist.ed',
    ...extra,
  });
}

const login = (redirect: string) => `/v1/fxa-oauth/login?redirect=${encodeURIComponent(redirect)}`;

test('relier disabled: login and token are 404, params still 200', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa, { 'fxa-oauth.relier.enabled': 'false' }));
  assertKintoError(await kinto.app.inject({ url: login('https://a.firefox.com/') }), { code: 404, errno: 111 });
  assertKintoError(await kinto.app.inject({ url: '/v1/fxa-oauth/token?code=1&state=2' }), { code: 404, errno: 111 });
  assert.equal((await kinto.app.inject({ url: '/v1/fxa-oauth/params' })).statusCode, 200);
});

test('login without redirect: 400 errno 107 mentioning redirect', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa));
  for (const url of ['/v1/fxa-oauth/login', '/v1/fxa-oauth/login?redirect=', '/v1/fxa-oauth/login?redirect=%20%20']) {
    const body = assertKintoError(await kinto.app.inject({ url }), { code: 400, errno: 107, message: 'redirect in querystring: Required' });
    assert.deepEqual(body.details, [{ location: 'querystring', name: 'redirect', description: 'Required' }]);
    assert.equal(body.error, 'Invalid parameters');
  }
});

test('login with a redirect to a host outside authorized_domains: 400 not authorized', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa));
  for (const redirect of ['http://not-whitelisted.tld', 'https://firefox.com/', 'https://app.firefox.com:8443/']) {
    const body = assertKintoError(await kinto.app.inject({ url: login(redirect) }), {
      code: 400,
      errno: 107,
      message: 'redirect URL is not authorized',
    });
    assert.deepEqual(body.details, [{ location: 'querystring', name: 'redirect', description: 'redirect URL is not authorized' }]);
  }
  assert.equal((await kinto.app.inject({ url: login('http://iam.whitelist.ed') })).statusCode, 302);
  assert.equal((await kinto.app.inject({ url: login('https://readinglist.firefox.com/#') })).statusCode, 302);
});

test('empty authorized_domains rejects every redirect', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa, { 'fxa-oauth.webapp.authorized_domains': '' }));
  assertKintoError(await kinto.app.inject({ url: login('https://readinglist.firefox.com/') }), {
    code: 400,
    message: 'redirect URL is not authorized',
  });
});

test('a redirect that is not an absolute http(s) URL: 400 Must be a URL', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa, { 'fxa-oauth.webapp.authorized_domains': '*' }));
  const bad = [
    'bad',
    'app.firefox.com',
    'javascript:alert(1)',
    'ftp://a.firefox.com/',
    'https://user:pw@a.firefox.com/',
    'https://a.firefox.com\\@evil.com/',
    'http://exa mple.com/',
  ];
  for (const redirect of bad) {
    assertKintoError(await kinto.app.inject({ url: login(redirect) }), {
      code: 400,
      errno: 107,
      message: 'redirect in querystring: Must be a URL',
    });
  }
  const long = `https://a.firefox.com/${'x'.repeat(2048)}`;
  assertKintoError(await kinto.app.inject({ url: login(long) }), {
    code: 400,
    message: 'redirect in querystring: Longer than maximum length 2048',
  });
});

test('login stores the trimmed redirect under the state, for 300 s by default, and answers 302 to FxA', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  const kinto = await startKinto(t, relier(fxa), { cache });
  const response = await kinto.app.inject({ url: login('  https://readinglist.firefox.com/#  ') });
  assert.equal(response.statusCode, 302);
  const location = String(response.headers.location);
  const match = /^(.*)\/authorization\?action=signin&client_id=([^&]+)&state=([^&]+)&scope=kinto\+profile$/.exec(location);
  assert.ok(match, location);
  assert.equal(match[1], fxa.oauthUri);
  assert.equal(match[2], CLIENT_ID);
  const state = match[3]!;
  assert.match(state, /^[0-9a-f]{32}$/);
  const states = cache.namespace(STATE_NAMESPACE);
  assert.deepEqual(await states.get(state), { redirect: 'https://readinglist.firefox.com/#' });
  const ttl = await states.ttl(state);
  assert.ok(ttl > 299 && ttl <= 300, String(ttl));
  assert.ok(cache.written.some((w) => w.key === `fxa-oauth:state:${state}`), 'state keys carry the fixed prefix');

  const again = String((await kinto.app.inject({ url: login('https://readinglist.firefox.com/') })).headers.location);
  assert.notEqual(/state=([^&]+)/.exec(again)![1], state, 'a new state per login');
});

test('the state lives state.ttl_seconds when that key is set', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  const kinto = await startKinto(t, relier(fxa, { 'fxa-oauth.state.ttl_seconds': '60' }), { cache });
  const response = await kinto.app.inject({ url: login('https://readinglist.firefox.com/') });
  const state = /state=([^&]+)/.exec(String(response.headers.location))![1]!;
  const ttl = await cache.namespace(STATE_NAMESPACE).ttl(state);
  assert.ok(ttl > 59 && ttl <= 60, String(ttl));
  assert.match(String(response.headers['set-cookie']), /Max-Age=60;/);
});

test('login sets the HttpOnly, SameSite=Lax state cookie on the plugin path', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa));
  const cookie = String((await kinto.app.inject({ url: login('https://a.firefox.com/') })).headers['set-cookie']);
  assert.match(cookie, /^kinto_oauth_state=[A-Za-z0-9_-]{43}; Path=\/v1\/fxa-oauth; Max-Age=300; HttpOnly; SameSite=Lax$/);
  const secure = await startKinto(t, relier(fxa, { http_scheme: 'https' }));
  assert.match(String((await secure.app.inject({ url: login('https://a.firefox.com/') })).headers['set-cookie']), /; Secure$/);
});

test('without a client secret, the login uses PKCE (S256)', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa, { 'fxa-oauth.client_secret': null }));
  const location = new URL(String((await kinto.app.inject({ url: login('https://a.firefox.com/') })).headers.location));
  assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
  assert.match(location.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
});

test('login without oauth_uri or client_id: 503, never a redirect to None', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa, { 'fxa-oauth.client_id': null }));
  assertKintoError(await kinto.app.inject({ url: login('https://a.firefox.com/') }), { code: 503, errno: 201 });
});

test('params gives the configured client_id, oauth_uri and required scope', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa, { 'fxa-oauth.oauth_uri': 'https://oauth-stable.dev.lcip.org' }));
  const response = await kinto.app.inject({ url: '/v1/fxa-oauth/params' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(JSON.parse(response.body), { client_id: CLIENT_ID, oauth_uri: 'https://oauth-stable.dev.lcip.org', scope: 'kinto' });
  const bare = await startKinto(t, { includes: 'kinto_fxa' });
  assert.deepEqual(JSON.parse((await bare.app.inject({ url: '/v1/fxa-oauth/params' })).body), { client_id: null, oauth_uri: null, scope: null });
});

test('relier endpoints are GET only: 405 errno 115', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, relier(fxa));
  for (const url of ['/v1/fxa-oauth/login', '/v1/fxa-oauth/token', '/v1/fxa-oauth/params']) {
    assertKintoError(await kinto.app.inject({ method: 'POST', url, payload: {} }), { code: 405, errno: 115 });
  }
});

test('a redirect without # is logged; with webapp.require_fragment it is refused', async (t) => {
  const fxa = await startFxa(t);
  const logs = captureLogs();
  const kinto = await startKinto(t, relier(fxa), { logs });
  assert.equal((await kinto.app.inject({ url: login('https://a.firefox.com/?token=') })).statusCode, 302);
  assert.ok(logs.lines.some((l) => l.level === 40 && l.msg.includes('without a fragment')));
  const strict = await startKinto(t, relier(fxa, { 'fxa-oauth.webapp.require_fragment': 'true' }));
  assertKintoError(await strict.app.inject({ url: login('https://a.firefox.com/?token=') }), {
    code: 400,
    errno: 107,
    message: 'redirect URL must contain a fragment (#)',
  });
  assert.equal((await strict.app.inject({ url: login('https://a.firefox.com/#token=') })).statusCode, 302);
});
