// The policy (openid.md §4, §5; checklist 11–31): header parsing, userinfo
// outcomes, cache keys, profile, the JWT + audience check against a JWKS, and
// provider routing by `iss`. The loopback IdP answers userinfo as Auth0 does for
// API audiences (oidc-provider refuses audience tokens at its userinfo).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { jwksTiming, verificationDigest } from '@kinto-ts/openid';
import { json, openIdSettings, startKinto } from './helpers/kinto.js';
import { startLoopbackIdp } from './helpers/loopback-idp.js';

const withPlugin = (values: Record<string, string>) => ({ ...values, includes: 'kinto.plugins.openid test-protected' });

test('headers, challenges, userinfo outcomes and the verification cache', async (t) => {
  const idp = await startLoopbackIdp(t);
  const kinto = await startKinto(t, withPlugin(openIdSettings({ auth0: { issuer: idp.issuer, header_type: 'bearer+oidc' } }, { userid_hmac_secret: 's3cret' })));
  const get = (authorization?: string) => kinto.app.inject({ url: '/v1/protected', headers: authorization ? { authorization } : {} });

  const anonymous = await get();
  assert.equal(anonymous.statusCode, 401);
  assert.equal(json(anonymous).errno, 104);
  assert.equal(String(anonymous.headers['www-authenticate']), 'bearer+oidc realm="Realm"');
  for (const header of ['avrbnnbrbr', 'Basic avrbnnbrbr', 'Bearer tok']) assert.equal((await get(header)).statusCode, 401, header);
  assert.equal(idp.count('/userinfo'), 0, 'other schemes never reach the IdP');

  idp.users.set('tok', { sub: 'alice', name: 'Alice' });
  const ok = await get('Bearer+OIDC tok');
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(json(ok), { id: 'auth0:alice', profile: { sub: 'alice', name: 'Alice' } });
  assert.deepEqual(idp.userinfoAuthorizations, ['Bearer tok'], 'always the word Bearer towards the IdP');

  // The exact key of §5.1, a fixed TTL, and no refresh on hits.
  const cache = kinto.registry.cache.namespace('openid:verify');
  const digest = verificationDigest('s3cret', idp.issuer, 'client-auth0', '', 'tok');
  assert.deepEqual(await cache.get(digest), { sub: 'alice', name: 'Alice' });
  assert.equal(await cache.ttl(digest), 86400);
  await cache.expire(digest, 100);
  await get('Bearer+OIDC tok');
  assert.equal(await cache.ttl(digest), 100, 'a hit does not extend the entry');
  assert.equal(idp.count('/userinfo'), 1);

  // A payload planted under the right key authenticates without the IdP, shown in hello.
  await cache.set(verificationDigest('s3cret', idp.issuer, 'client-auth0', '', 'planted'), { sub: 'bob' }, 60);
  const hello = json(await kinto.app.inject({ url: '/v1/', headers: { authorization: 'Bearer+OIDC planted' } }));
  assert.equal(hello.user.id, 'auth0:bob');
  assert.deepEqual(hello.user.profile, { sub: 'bob' });
  assert.equal(idp.count('/userinfo'), 1);

  // Rejected by the IdP: anonymous, nothing in the positive cache.
  assert.equal((await get('Bearer+OIDC wrong')).statusCode, 401);
  assert.equal(await cache.get(verificationDigest('s3cret', idp.issuer, 'client-auth0', '', 'wrong')), undefined);

  // IdP errors and outages are 503, never anonymous.
  idp.answers.set('/userinfo', { status: 500, body: '{}' });
  const failing = await get('Bearer+OIDC new-token');
  assert.equal(failing.statusCode, 503);
  assert.equal(json(failing).errno, 201);
  assert.ok(failing.headers['retry-after']);
  idp.answers.set('/userinfo', { status: 200, body: '["not", "an object"]' });
  assert.equal((await get('Bearer+OIDC other-token')).statusCode, 401);
  await idp.close();
  assert.equal((await get('Bearer+OIDC third-token')).statusCode, 503);
  assert.equal((await get('Bearer+OIDC tok')).statusCode, 200, 'cached verifications survive the outage');
});

test('userid_field, profiles of other policies, and one token at two providers', async (t) => {
  const google = await startLoopbackIdp(t);
  const auth0 = await startLoopbackIdp(t);
  const kinto = await startKinto(
    t,
    withPlugin(openIdSettings({ google: { issuer: google.issuer, userid_field: 'email' }, auth0: { issuer: auth0.issuer } }, { 'multiauth.policies': 'google auth0 basicauth' })),
  );
  const hello = async (authorization: string) => json(await kinto.app.inject({ url: '/v1/', headers: { authorization } })).user;
  google.users.set('t1', { sub: 'abcd', email: 'foobar@tld.com' });
  assert.deepEqual(await hello('Bearer t1'), { id: 'google:foobar@tld.com', principals: ['google:foobar@tld.com', 'system.Everyone', 'system.Authenticated'], profile: { sub: 'abcd', email: 'foobar@tld.com' } });
  google.users.set('t2', { sub: 'no-email' });
  google.users.set('t3', { sub: 'x', email: 'unverified@tld.com', email_verified: false });
  auth0.users.set('t2', { sub: 'auth0-user' });
  // google refuses t2 (no email), auth0 accepts it; t3's address is not verified.
  assert.equal((await hello('Bearer t2')).id, 'auth0:auth0-user');
  assert.equal(await hello('Bearer t3'), undefined);
  const basic = await hello(`Basic ${Buffer.from('mat:secret').toString('base64')}`);
  assert.deepEqual(basic.profile, {});
  // Each provider verified t2 under its own key (issuer/client differ).
  assert.notEqual(verificationDigest('', google.issuer, 'client-google', '', 't2'), verificationDigest('', auth0.issuer, 'client-auth0', '', 't2'));
  assert.equal(google.count('/userinfo') >= 1 && auth0.count('/userinfo') >= 1, true);
});

test('audience: JWT checked against the JWKS before userinfo', async (t) => {
  const idp = await startLoopbackIdp(t, { audience: 'my-api' });
  const kinto = await startKinto(t, withPlugin(openIdSettings({ auth0: { issuer: idp.issuer, audience: 'my-api' } })));
  const status = async (token: string) => (await kinto.app.inject({ url: '/v1/protected', headers: { authorization: `Bearer ${token}` } })).statusCode;

  const good = await idp.sign({ sub: 'alice' });
  idp.users.set(good, { sub: 'alice' });
  assert.equal(await status(good), 200);
  assert.equal(idp.count('/userinfo'), 1);

  const wrongAudience = await idp.sign({ sub: 'alice', aud: 'other-api' });
  const expired = await idp.sign({ sub: 'alice' }, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
  const forgedSignature = `${good.slice(0, good.lastIndexOf('.'))}.${Buffer.from('forged').toString('base64url')}`;
  const unsigned = new UnsecuredJWT({ sub: 'alice', iss: idp.issuer, aud: 'my-api' }).setExpirationTime('1h').encode();
  const hmac = await new SignJWT({ sub: 'alice', iss: idp.issuer, aud: 'my-api' })
    .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('a shared secret of at least 32 bytes'));
  for (const token of [wrongAudience, expired, forgedSignature, unsigned, hmac, 'opaque-token']) {
    idp.users.set(token, { sub: 'alice' });
    assert.equal(await status(token), 401, token);
  }
  assert.equal(idp.count('/userinfo'), 1, 'userinfo is never called for a token that fails the JWT check');
  assert.equal(idp.count('/jwks'), 1, 'the key set is fetched once for several verifications');

  // A new signing key (unknown kid) makes the key set be fetched again (after the
  // cooldown, shortened here so that the test does not wait 10 s).
  const kintoNoCooldown = await (async () => {
    jwksTiming.cooldownMs = 0;
    try {
      return await startKinto(t, withPlugin(openIdSettings({ auth0: { issuer: idp.issuer, audience: 'my-api' } })));
    } finally {
      jwksTiming.cooldownMs = 10_000;
    }
  })();
  const statusNoCooldown = async (token: string) => (await kintoNoCooldown.app.inject({ url: '/v1/protected', headers: { authorization: `Bearer ${token}` } })).statusCode;
  assert.equal(await statusNoCooldown(good), 200);
  assert.equal(idp.count('/jwks'), 2);
  await idp.rotateKey();
  const rotated = await idp.sign({ sub: 'bob' });
  idp.users.set(rotated, { sub: 'bob' });
  assert.equal(await statusNoCooldown(rotated), 200);
  assert.equal(idp.count('/jwks'), 3);

  // A key set that cannot be fetched is an outage.
  const kinto2 = await startKinto(t, withPlugin(openIdSettings({ auth0: { issuer: idp.issuer, audience: 'my-api' } })));
  idp.answers.set('/jwks', { status: 502, body: 'bad gateway' });
  const another = await idp.sign({ sub: 'carol' });
  const outage = await kinto2.app.inject({ url: '/v1/protected', headers: { authorization: `Bearer ${another}` } });
  assert.equal(outage.statusCode, 503);
});

test('a JWT naming another provider is never sent to this one (beyond.md item 5)', async (t) => {
  const first = await startLoopbackIdp(t, { audience: 'api' });
  const second = await startLoopbackIdp(t);
  // `second` comes first in the chain, so it would see every token upstream.
  const kinto = await startKinto(t, withPlugin(openIdSettings({ second: { issuer: second.issuer }, first: { issuer: first.issuer, audience: 'api' } })));
  const token = await first.sign({ sub: 'alice' });
  first.users.set(token, { sub: 'alice' });
  const response = await kinto.app.inject({ url: '/v1/protected', headers: { authorization: `Bearer ${token}` } });
  assert.equal(json(response).id, 'first:alice');
  assert.equal(second.count('/userinfo'), 0);
  // Even with `second` down, `first`'s users are served.
  await second.close();
  const other = await first.sign({ sub: 'bob' });
  first.users.set(other, { sub: 'bob' });
  assert.equal(json(await kinto.app.inject({ url: '/v1/protected', headers: { authorization: `Bearer ${other}` } })).id, 'first:bob');
});
