// The whole login dance over HTTP against a real oidc-provider, two providers side
// by side, state replay, and an IdP outage with recovery (issue #7 acceptance).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KintoApp } from '@kinto-ts/core';
import { signInAtIdp, startOidcProvider } from './helpers/oidc-provider.js';
import { verificationDigest } from '@kinto-ts/openid';
import { json, openIdSettings, startKinto } from './helpers/kinto.js';

/** Logs `login` in through kinto's /login and /token; returns the tokens the callback received. */
async function dance(kinto: KintoApp, provider: string, login: string, scope = 'openid email') {
  const callback = 'http://app.example.com/#tokens=';
  const start = await kinto.app.inject({ url: `/v1/openid/${provider}/login?callback=${encodeURIComponent(callback)}&scope=${encodeURIComponent(scope)}` });
  assert.equal(start.statusCode, 307, start.body);
  const cookie = String(start.headers['set-cookie']).split(';')[0]!;
  const tokenUrl = await signInAtIdp(String(start.headers.location), login, (url) => url.startsWith('http://localhost/'));
  const path = tokenUrl.slice('http://localhost'.length);
  const back = await kinto.app.inject({ url: path, headers: { cookie } });
  assert.equal(back.statusCode, 307, back.body);
  const location = String(back.headers.location);
  assert.ok(location.startsWith(callback), location);
  const tokens = JSON.parse(Buffer.from(decodeURIComponent(location.slice(callback.length)), 'base64').toString('utf8')) as Record<string, string>;
  return { tokens, path, cookie };
}

test('two providers authenticate their own users through the full dance', async (t) => {
  const idp1 = await startOidcProvider([{ client_id: 'client-idp1', client_secret: 'secret-idp1', providers: ['idp1'] }], t);
  const idp2 = await startOidcProvider([{ client_id: 'client-idp2', client_secret: 'secret-idp2', providers: ['idp2'] }], t);
  const kinto = await startKinto(t, openIdSettings({ idp1: { issuer: idp1.issuer }, idp2: { issuer: idp2.issuer } }));

  const one = await dance(kinto, 'idp1', 'alice');
  const two = await dance(kinto, 'idp2', 'alice');
  assert.equal(typeof one.tokens.access_token, 'string');
  assert.equal(typeof one.tokens.id_token, 'string');

  const hello1 = json(await kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${one.tokens.access_token}` } }));
  const hello2 = json(await kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${two.tokens.access_token}` } }));
  assert.equal(hello1.user.id, 'idp1:alice');
  assert.equal(hello2.user.id, 'idp2:alice');
  assert.deepEqual(hello1.user.profile, { sub: 'alice', email: 'alice@example.com', email_verified: true });
  assert.ok(hello1.user.principals.includes('idp1:alice') && !hello1.user.principals.includes('idp2:alice'));

  // The state was consumed: replaying the IdP's redirect is refused.
  const replay = await kinto.app.inject({ url: one.path, headers: { cookie: one.cookie } });
  assert.equal(replay.statusCode, 400);
  assert.equal(json(replay).message, 'Invalid state');
});

test('an IdP outage: cached tokens keep working, new ones 503, heartbeat 503, recovery without restart', async (t) => {
  const idp = await startOidcProvider([{ client_id: 'client-idp1', client_secret: 'secret-idp1', providers: ['idp1'] }], t);
  const kinto = await startKinto(t, openIdSettings({ idp1: { issuer: idp.issuer } }));
  const cached = (await dance(kinto, 'idp1', 'alice')).tokens.access_token!;
  const fresh = (await dance(kinto, 'idp1', 'bob')).tokens.access_token!;
  const hello = (token: string) => kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${token}` } });

  assert.equal(json(await hello(cached)).user.id, 'idp1:alice');
  const heartbeat = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(heartbeat.statusCode, 200);
  assert.equal(json(heartbeat).openid, true);

  await idp.stop();
  assert.equal(json(await hello(cached)).user.id, 'idp1:alice', 'a cached verification needs no IdP');
  const down = await hello(fresh);
  assert.equal(down.statusCode, 503);
  assert.equal(json(down).errno, 201);
  assert.ok(down.headers['retry-after']);
  const failing = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(failing.statusCode, 503);
  assert.equal(json(failing).openid, false);

  await idp.start();
  assert.equal(json(await hello(fresh)).user.id, 'idp1:bob');
  assert.equal(json(await kinto.app.inject({ url: '/v1/__heartbeat__' })).openid, true);
});

test('verifications are cached: one userinfo call per token, none for a cached one', async (t) => {
  const idp = await startOidcProvider([{ client_id: 'client-idp1', client_secret: 'secret-idp1', providers: ['idp1'] }], t);
  const kinto = await startKinto(t, openIdSettings({ idp1: { issuer: idp.issuer } }));
  const alice = (await dance(kinto, 'idp1', 'alice')).tokens.access_token!;
  const bob = (await dance(kinto, 'idp1', 'bob')).tokens.access_token!;
  const before = idp.count('/me');
  // Concurrent first requests with one token: one IdP call (single flight).
  await Promise.all([1, 2, 3].map(() => kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${alice}` } })));
  assert.equal(idp.count('/me'), before + 1);
  assert.equal(idp.requests.filter((r) => r.path === '/me').at(-1)!.authorization, `Bearer ${alice}`);
  await kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${alice}` } });
  assert.equal(idp.count('/me'), before + 1);
  await kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${bob}` } });
  assert.equal(idp.count('/me'), before + 2);
  // A token the IdP rejects: anonymous, 401 with the challenge on a protected view, and no positive cache entry.
  const rejected = await kinto.app.inject({ url: '/v1/', headers: { authorization: 'Bearer not-a-token' } });
  assert.equal(json(rejected).user, undefined);
  assert.equal(idp.count('/me'), before + 3);
  await kinto.app.inject({ url: '/v1/', headers: { authorization: 'Bearer not-a-token' } });
  assert.equal(idp.count('/me'), before + 3, 'negative cache: a rejected token is not re-verified at once');
});

test('a verification reused between requests is asked again once its cache entry is deleted', async (t) => {
  const idp = await startOidcProvider([{ client_id: 'client-idp1', client_secret: 'secret-idp1', providers: ['idp1'] }], t);
  const kinto = await startKinto(t, openIdSettings({ idp1: { issuer: idp.issuer } }, { userid_hmac_secret: 's3cret' }));
  const token = (await dance(kinto, 'idp1', 'alice')).tokens.access_token!;
  const hello = async () => json(await kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${token}` } }));
  const before = idp.count('/me');
  for (let i = 0; i < 3; i++) assert.equal((await hello()).user.id, 'idp1:alice');
  assert.equal(idp.count('/me'), before + 1);
  // With the memory cache the chain reuses the verification; deleting its entry revokes that.
  const cache = kinto.registry.cache.namespace('openid:verify');
  assert.ok(await cache.delete(verificationDigest('s3cret', idp.issuer, 'client-idp1', '', token)));
  assert.equal((await hello()).user.id, 'idp1:alice');
  assert.equal(idp.count('/me'), before + 2, 'verified again at the provider');
  assert.equal((await hello()).user.id, 'idp1:alice');
  assert.equal(idp.count('/me'), before + 2);
});
