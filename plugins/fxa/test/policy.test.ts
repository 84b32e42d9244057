// The authentication policy over HTTP against the FxA fixture (fxa.md §4–§6,
// checklist 7–15, 19–22; beyond.md items 12 and 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertKintoError } from '@kinto-ts/core/testing';
import { InspectableCache, PROTECTED, bearer, fxaSettings, hello, startFxa, startKinto, userOf } from './helpers.js';

test('no Authorization header: anonymous, and a protected view answers 401 errno 104', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const response = await kinto.app.inject({ url: PROTECTED });
  assertKintoError(response, { code: 401, errno: 104, message: 'Please authenticate yourself to use this endpoint.' });
  const root = await kinto.app.inject({ url: '/v1/' });
  assert.equal(root.statusCode, 200);
  assert.equal(JSON.parse(root.body).user, undefined);
  assert.equal(fxa.calls.verify, 0);
});

for (const header of ['Bearerfoo', 'Carrier foo', 'Bearer', 'Basic']) {
  test(`Authorization: ${header} is anonymous and FxA is not contacted`, async (t) => {
    const fxa = await startFxa(t);
    const kinto = await startKinto(t, fxaSettings(fxa));
    const response = await kinto.app.inject({ url: PROTECTED, headers: { authorization: header } });
    assertKintoError(response, { code: 401, errno: 104 });
    assert.equal(fxa.calls.verify + fxa.calls.jwks, 0);
  });
}

test('a valid token with the required scope authenticates as fxa:{uid}, shown in hello', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ user: '33', scope: ['profile', 'kinto'] });
  const { status, body } = await hello(kinto, token);
  assert.equal(status, 200);
  assert.equal(userOf(body)?.id, 'fxa:33');
  assert.deepEqual(userOf(body)?.principals, ['fxa:33', 'system.Everyone', 'system.Authenticated']);
  const view = await kinto.app.inject({ url: PROTECTED, headers: { authorization: `bEaReR ${token}` } });
  assert.equal(view.statusCode, 200, 'the scheme is case-insensitive');
});

test('scopes implied by the token (kinto:write implies kinto) are accepted', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ user: '33', scope: ['kinto:write'] });
  assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:33');
});

test('two requests with the same token: one verification; two tokens: two', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ scope: ['kinto'] });
  assert.equal((await hello(kinto, token)).status, 200);
  assert.equal((await hello(kinto, token)).status, 200);
  assert.equal(fxa.calls.verify, 1);
  await hello(kinto, await fxa.mint({ scope: ['kinto'] }));
  assert.equal(fxa.calls.verify, 2);
});

test('within one request the token is verified once, even when the cache cannot help', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  cache.failing.add('get');
  const kinto = await startKinto(t, fxaSettings(fxa), { cache });
  const token = await fxa.mint({ scope: ['kinto'] });
  // The protected view authenticates twice per request, as resource views do.
  const route = await kinto.app.inject({ url: PROTECTED, headers: bearer(token) });
  assert.equal(route.statusCode, 200);
  assert.equal(fxa.calls.verify, 1);
  assert.equal((await kinto.app.inject({ url: PROTECTED, headers: bearer(token) })).statusCode, 200);
  assert.equal(fxa.calls.verify, 2, 'one verification per request, none shared through the failing cache');
});

test('after cache_ttl_seconds the token is verified again', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa, { 'fxa-oauth.cache_ttl_seconds': '0.05' }));
  const token = await fxa.mint({ scope: ['kinto'] });
  await hello(kinto, token);
  await hello(kinto, token);
  assert.equal(fxa.calls.verify, 1);
  await sleep(120);
  await hello(kinto, token);
  assert.equal(fxa.calls.verify, 2);
});

test('an unknown or expired token (FxA 400 errno 108/115) is anonymous: 401 with the Bearer challenge', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const expired = await fxa.mint({ scope: ['kinto'], ttlSeconds: -10 });
  for (const token of ['0'.repeat(64), expired, 'not-even-hex']) {
    const response = await kinto.app.inject({ url: PROTECTED, headers: bearer(token) });
    assertKintoError(response, { code: 401, errno: 104 });
    assert.deepEqual([response.headers['www-authenticate']].flat(), ['Bearer realm="Realm"', 'Basic realm="Realm"']);
  }
  assert.equal(fxa.calls.verify, 3);
});

test('the realm comes from multiauth.policy.fxa.realm', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa, { 'multiauth.policies': 'fxa', 'multiauth.policy.fxa.realm': 'Who' }));
  const response = await kinto.app.inject({ url: PROTECTED, headers: bearer('0'.repeat(64)) });
  assertKintoError(response, { code: 401 });
  assert.deepEqual([response.headers['www-authenticate']].flat(), ['Bearer realm="Who"']);
});

test('a token lacking a required scope is anonymous', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa, { 'fxa-oauth.required_scope': 'kinto profile:email' }));
  const token = await fxa.mint({ scope: ['kinto', 'openid'] });
  const response = await kinto.app.inject({ url: PROTECTED, headers: bearer(token) });
  assertKintoError(response, { code: 401, errno: 104 });
  const enough = await fxa.mint({ scope: ['kinto', 'profile'] });
  assert.equal((await kinto.app.inject({ url: PROTECTED, headers: bearer(enough) })).statusCode, 200);
});

test('cache keys and values never contain the raw token', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  const kinto = await startKinto(t, fxaSettings(fxa), { cache });
  const good = await fxa.mint({ scope: ['kinto'] });
  const bad = 'f'.repeat(64);
  await hello(kinto, good);
  await hello(kinto, bad);
  const keys = cache.written.map((w) => w.key);
  assert.ok(keys.some((k) => k.startsWith('fxa-oauth:verify:')), keys.join());
  assert.ok(keys.some((k) => k.startsWith('fxa-oauth:invalid:')), keys.join());
  for (const { key, value } of cache.written) {
    for (const token of [good, bad]) {
      assert.ok(!key.includes(token), `raw token in key ${key}`);
      assert.ok(!JSON.stringify(value).includes(token), `raw token in value of ${key}`);
    }
  }
});

test('an invalid token is remembered as invalid for invalid_cache_ttl_seconds', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa, { 'fxa-oauth.invalid_cache_ttl_seconds': '0.1' }));
  const bad = 'a'.repeat(64);
  await hello(kinto, bad);
  await hello(kinto, bad);
  assert.equal(fxa.calls.verify, 1);
  await sleep(200);
  await hello(kinto, bad);
  assert.equal(fxa.calls.verify, 2);
});

test('invalid_cache_ttl_seconds = 0 disables negative caching', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa, { 'fxa-oauth.invalid_cache_ttl_seconds': '0' }));
  await hello(kinto, 'a'.repeat(64));
  await hello(kinto, 'a'.repeat(64));
  assert.equal(fxa.calls.verify, 2);
});

test('100 concurrent first requests with one token make one call to /verify', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ user: 'abc', scope: ['kinto'] });
  fxa.fail('verify', { kind: 'delay', ms: 50 });
  const responses = await Promise.all(
    Array.from({ length: 100 }, () => kinto.app.inject({ url: PROTECTED, headers: bearer(token) })),
  );
  assert.ok(responses.every((r) => r.statusCode === 200 && JSON.parse(r.body).user === 'fxa:abc'));
  assert.equal(fxa.calls.verify, 1);
});

test('verifications reuse kept-alive connections to FxA', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  for (let i = 0; i < 5; i++) {
    const token = await fxa.mint({ user: `u${i}`, scope: ['kinto'] });
    assert.equal((await kinto.app.inject({ url: PROTECTED, headers: bearer(token) })).statusCode, 200);
  }
  assert.equal(fxa.calls.verify, 5);
  assert.equal(fxa.connections, 1, 'one connection for five sequential verifications');
});

/** Destroys a token at the FxA fixture (its `/v1/destroy`). */
async function destroy(fxa: Awaited<ReturnType<typeof startFxa>>, token: string): Promise<void> {
  const response = await fetch(`${fxa.origin}/v1/destroy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  assert.equal(response.status, 200);
}

test('with an in-process cache a verification is reused without reading the cache, until a deletion revokes it', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  cache.local = true;
  const kinto = await startKinto(t, fxaSettings(fxa), { cache });
  const token = await fxa.mint({ user: '33', scope: ['kinto'] });
  // Verified at FxA, then found in the cache: from then on, reused.
  for (let i = 0; i < 2; i++) assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:33');
  const reads = cache.reads;
  for (let i = 0; i < 3; i++) assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:33');
  assert.equal(cache.reads, reads, 'the cache was not read again');
  assert.equal(fxa.calls.verify, 1);
  // Destroyed at FxA: still accepted while its verification is cached (as upstream),
  // refused once the cache entries are deleted.
  await destroy(fxa, token);
  assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:33');
  await cache.flush();
  assert.equal(userOf((await hello(kinto, token)).body), undefined);
  assert.equal(fxa.calls.verify, 2);
});

test('with a cache other processes share, every request reads the verification from it', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  const kinto = await startKinto(t, fxaSettings(fxa), { cache });
  const token = await fxa.mint({ user: '33', scope: ['kinto'] });
  let reads = cache.reads;
  for (let i = 0; i < 3; i++) {
    assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:33');
    assert.ok(cache.reads > reads, `request ${i} read the cache`);
    reads = cache.reads;
  }
  assert.equal(fxa.calls.verify, 1);
});

test('a reused verification ends no later than its cache entry (cache_ttl_seconds)', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  cache.local = true;
  const kinto = await startKinto(t, fxaSettings(fxa, { 'fxa-oauth.cache_ttl_seconds': '2' }), { cache });
  const token = await fxa.mint({ user: '33', scope: ['kinto'] });
  for (let i = 0; i < 2; i++) assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:33');
  assert.equal(fxa.calls.verify, 1);
  await destroy(fxa, token);
  // Polled, never timed: refused at the latest once the cache entry has expired.
  const start = Date.now();
  while (userOf((await hello(kinto, token)).body) !== undefined) {
    assert.ok(Date.now() - start < 10_000, 'still accepted 10 s after a 2 s cache TTL');
    await sleep(100);
  }
  assert.ok(Date.now() - start >= 500, 'accepted while cached');
  assert.equal(fxa.calls.verify, 2);
});
