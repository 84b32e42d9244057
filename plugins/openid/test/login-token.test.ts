// The login dance endpoints (openid.md §7; checklist 32–53; beyond.md items 1–4)
// against a loopback IdP whose token endpoint records the code trade.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeTokens, STATE_COOKIE, stateBinding } from '@kinto-ts/openid';
import { randomSource } from '../src/state.js';
import { json, openIdSettings, startKinto } from './helpers/kinto.js';
import { startLoopbackIdp } from './helpers/loopback-idp.js';

async function setup(t: Parameters<typeof startLoopbackIdp>[0], extra: Record<string, string> = {}) {
  const idp = await startLoopbackIdp(t);
  const kinto = await startKinto(
    t,
    openIdSettings(
      {
        auth0: { issuer: idp.issuer, client_id: 'abc', client_secret: 's3cr3t', audience: 'nonprod' },
        google: { issuer: idp.issuer, userid_field: 'email' },
      },
      extra,
    ),
  );
  return { idp, kinto };
}

test('login validation', async (t) => {
  const { kinto } = await setup(t);
  const login = (query: string, method: 'GET' | 'POST' = 'GET') => kinto.app.inject({ method, url: `/v1/openid/auth0/login${query}` });
  const cases: Array<[string, string | RegExp]> = [
    ['', /Required/],
    ['?callback=http://no-scope.example.com', 'scope in querystring: Required'],
    ['?callback=bad&scope=openid', 'callback in querystring: Must be a URL'],
    ['?callback=javascript:alert(1)&scope=openid', 'callback in querystring: Must be a URL'],
    ['?callback=app.example.com/x&scope=openid', 'callback in querystring: Must be a URL'],
    ['?callback=http://user:pw@app.example.com/&scope=openid', 'callback in querystring: Must be a URL'],
    ['?callback=http://ui/&scope=openid', 'callback in querystring: Must be a URL'],
    ['?callback=http://app.example.com&scope=openid&prompt=junk', 'prompt in querystring: String does not match expected pattern'],
    ['?callback=http://app.example.com&scope=openid&prompt=nonesuch', 'prompt in querystring: String does not match expected pattern'],
  ];
  for (const [query, message] of cases) {
    const response = await login(query);
    assert.equal(response.statusCode, 400, query);
    const body = json(response);
    assert.equal(body.errno, 107);
    if (typeof message === 'string') assert.equal(body.message, message, query);
    else assert.match(body.message, message, query);
  }
  const unknown = json(await kinto.app.inject({ url: '/v1/openid/fxa/login?callback=http://app.example.com&scope=openid' }));
  assert.deepEqual(unknown.details, [{ location: 'path', name: 'provider', description: "Unknown provider 'fxa'" }]);
  const email = await kinto.app.inject({ url: '/v1/openid/google/login?callback=http://app.example.com&scope=openid' });
  assert.equal(json(email).message, "Provider google requires 'email' scope");
  assert.equal((await kinto.app.inject({ url: '/v1/openid/google/login?callback=http://app.example.com&scope=openid%20email' })).statusCode, 307);
  assert.equal((await login('?callback=http://app.example.com&scope=openid')).statusCode, 307);
  const post = await login('', 'POST');
  assert.equal(post.statusCode, 405);
  assert.equal(json(post).errno, 115);
});

test('login redirects to the authorization endpoint with a fresh, stored, browser-bound state', async (t) => {
  const { idp, kinto } = await setup(t);
  const original = randomSource.hex;
  randomSource.hex = () => 'key';
  let forced;
  try {
    forced = await kinto.app.inject({ url: '/v1/openid/auth0/login?callback=http://ui.kinto.example.com&scope=openid email&prompt=none' });
  } finally {
    randomSource.hex = original;
  }
  assert.equal(forced.statusCode, 307);
  assert.equal(
    forced.headers.location,
    `${idp.issuer}/authorize?client_id=abc&response_type=code&scope=openid+email&redirect_uri=http%3A%2F%2Flocalhost%2Fv1%2Fopenid%2Fauth0%2Ftoken&state=key&prompt=none&audience=nonprod`,
  );
  const states = kinto.registry.cache.namespace('openid:state');
  assert.equal(await states.get('key'), 'http://ui.kinto.example.com');
  assert.equal(await states.ttl('key'), 3600);
  const cookie = String(forced.headers['set-cookie']);
  assert.match(cookie, new RegExp(`^${STATE_COOKIE}=${stateBinding('', 'auth0', 'key')}; Path=/v1/openid/auth0/; Max-Age=3600; HttpOnly; SameSite=Lax$`));

  const states64 = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const response = await kinto.app.inject({ url: '/v1/openid/google/login?callback=http://app.example.com/%23t=&scope=openid email' });
    const location = new URL(String(response.headers.location));
    assert.equal(location.searchParams.get('audience'), null);
    const state = location.searchParams.get('state')!;
    assert.match(state, /^[0-9a-f]{64}$/);
    states64.add(state);
    assert.equal(await states.get(state), 'http://app.example.com/#t=');
  }
  assert.equal(states64.size, 2);
});

test('callback allow-list, fragment rule and PKCE when discovery lists S256', async (t) => {
  const idp = await startLoopbackIdp(t);
  idp.discovery.code_challenge_methods_supported = ['plain', 'S256'];
  const kinto = await startKinto(
    t,
    openIdSettings({ app: { issuer: idp.issuer, authorized_domains: '*.example.com localhost:8[0-9][0-9][0-9]', require_fragment: 'true' } }),
  );
  const login = (callback: string) => kinto.app.inject({ url: `/v1/openid/app/login?scope=openid&callback=${encodeURIComponent(callback)}` });
  assert.equal(json(await login('https://attacker.example.org/#t=')).message, 'callback URL is not authorized');
  assert.equal(json(await login('https://example.com/#t=')).message, 'callback URL is not authorized');
  assert.equal(json(await login('http://localhost:9000/#t=')).message, 'callback URL is not authorized');
  assert.equal(json(await login('https://app.example.com/?t=')).message, 'callback URL must have a fragment (#)');
  assert.equal((await login('http://localhost:8080/#t=')).statusCode, 307);
  const response = await login('https://app.example.com/#t=');
  const location = new URL(String(response.headers.location));
  assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
  const state = location.searchParams.get('state')!;
  const stored = (await kinto.registry.cache.namespace('openid:state').get(state)) as { callback: string; code_verifier: string };
  assert.equal(stored.callback, 'https://app.example.com/#t=');
  const { createHash } = await import('node:crypto');
  assert.equal(location.searchParams.get('code_challenge'), createHash('sha256').update(stored.code_verifier).digest('base64url'));

  // The verifier goes with the code trade.
  const cookie = String(response.headers['set-cookie']).split(';')[0]!;
  await kinto.app.inject({ url: `/v1/openid/app/token?code=c0de&state=${state}`, headers: { cookie } });
  assert.equal(new URLSearchParams(idp.tokenRequests.at(-1)!.body).get('code_verifier'), stored.code_verifier);
});

test('token: validation, single-use state bound to the browser, code trade and callback encoding', async (t) => {
  const { idp, kinto } = await setup(t);
  const states = kinto.registry.cache.namespace('openid:state');
  const cookieFor = (state: string, provider = 'auth0') => `${STATE_COOKIE}=${stateBinding('', provider, state)}`;
  const token = (query: string, cookie?: string) => kinto.app.inject({ url: `/v1/openid/auth0/token${query}`, headers: cookie ? { cookie } : {} });

  for (const query of ['', '?code=abc', '?state=abc']) assert.equal((await token(query)).statusCode, 400, query);
  assert.equal((await kinto.app.inject({ url: '/v1/openid/fxa/token?code=a&state=b' })).statusCode, 400);
  const unknown = json(await token('?code=abc&state=unknown', cookieFor('unknown')));
  assert.deepEqual(unknown, {
    code: 400,
    errno: 107,
    error: 'Invalid parameters',
    message: 'Invalid state',
    details: [{ location: 'querystring', name: 'state', description: 'Invalid state', errno: 105 }],
  });

  // A state started in another browser (no cookie, or another state's cookie) is refused and kept.
  await states.set('planted', 'http://ui/#token=', 60);
  assert.equal(json(await token('?code=abc&state=planted')).message, 'Invalid state');
  assert.equal(json(await token('?code=abc&state=planted', cookieFor('other'))).message, 'Invalid state');
  assert.equal(json(await token('?code=abc&state=planted', cookieFor('planted', 'google'))).message, 'Invalid state');
  assert.equal(idp.tokenRequests.length, 0);

  const traded = await token('?code=abc&state=planted', cookieFor('planted'));
  assert.equal(traded.statusCode, 307);
  assert.equal(traded.headers.location, 'http://ui/#token=eyJhY2Nlc3NfdG9rZW4iOiJ0b2tlbiJ9');
  assert.match(String(traded.headers['set-cookie']), /Max-Age=0/);
  const trade = idp.tokenRequests.at(-1)!;
  assert.equal(trade.contentType, 'application/x-www-form-urlencoded');
  assert.equal(trade.authorization, undefined);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(trade.body)), {
    code: 'abc',
    client_id: 'abc',
    client_secret: 's3cr3t',
    redirect_uri: 'http://localhost/v1/openid/auth0/token',
    grant_type: 'authorization_code',
  });
  assert.equal(json(await token('?code=abc&state=planted', cookieFor('planted'))).message, 'Invalid state', 'a state is used once');

  // The IdP's answer is forwarded whatever it is, with the spec's encoding.
  idp.answers.set('/token', { status: 400, body: '{"access_token": "token"}' });
  await states.set('s2', 'http://ui/#token=', 60);
  assert.equal((await token('?code=abc&state=s2', cookieFor('s2'))).headers.location, 'http://ui/#token=eyJhY2Nlc3NfdG9rZW4iOiAidG9rZW4ifQ%3D%3D');

  // Two concurrent requests with one state: one trade.
  const before = idp.tokenRequests.length;
  idp.answers.delete('/token');
  await states.set('s3', 'http://ui/#token=', 60);
  const both = await Promise.all([token('?code=abc&state=s3', cookieFor('s3')), token('?code=abc&state=s3', cookieFor('s3'))]);
  assert.deepEqual(both.map((r) => r.statusCode).sort(), [307, 400]);
  assert.equal(idp.tokenRequests.length, before + 1);
});

test('an unreachable token endpoint is a 503, and the state is consumed', async (t) => {
  const idp = await startLoopbackIdp(t);
  idp.discovery.token_endpoint = 'http://127.0.0.1:1/token';
  const kinto = await startKinto(t, openIdSettings({ auth0: { issuer: idp.issuer } }));
  const states = kinto.registry.cache.namespace('openid:state');
  await states.set('s', 'http://ui/#token=', 60);
  const cookie = `${STATE_COOKIE}=${stateBinding('', 'auth0', 's')}`;
  const response = await kinto.app.inject({ url: '/v1/openid/auth0/token?code=abc&state=s', headers: { cookie } });
  assert.equal(response.statusCode, 503);
  assert.equal(json(response).errno, 201);
  assert.equal(await states.get('s'), undefined);
});

test('encoding vector of openid.md §7.2', () => {
  assert.equal(encodeTokens('{"access_token": "é?é>"}'), 'eyJhY2Nlc3NfdG9rZW4iOiAiw6k/w6k%2BIn0%3D');
});
