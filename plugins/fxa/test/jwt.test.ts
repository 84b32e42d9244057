// JWT access tokens verified locally against the FxA key set (fxa.md §5.2, §11.4,
// checklist 61–63; beyond.md item 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, decodeJwt } from 'jose';
import { assertKintoError } from '@kinto-ts/core/testing';
import { PROTECTED, bearer, fxaSettings, hello, startFxa, startKinto, userOf } from './helpers.js';

test('a JWT access token signed by a published key authenticates without /verify; keys are cached', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ user: 'jwtuser', scope: ['profile', 'kinto'], jwt: true, generation: 42 });
  assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:jwtuser');
  const second = await fxa.mint({ user: 'other', scope: ['kinto'], jwt: true });
  assert.equal(userOf((await hello(kinto, second)).body)?.id, 'fxa:other');
  assert.equal(fxa.calls.verify, 0);
  assert.equal(fxa.calls.jwks, 1);
});

test('typ application/at+jwt is accepted too', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ user: 'u', scope: ['kinto'], jwt: true, typ: 'application/AT+JWT' });
  assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:u');
});

test('a JWT with typ JWT, an unknown key, or an expiry in the past is anonymous', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const tokens = [
    await fxa.mint({ scope: ['kinto'], jwt: true, typ: 'JWT' }),
    await fxa.mint({ scope: ['kinto'], jwt: true, unknownKey: true }),
    await fxa.mint({ scope: ['kinto'], jwt: true, ttlSeconds: -5 }),
  ];
  for (const token of tokens) {
    assertKintoError(await kinto.app.inject({ url: PROTECTED, headers: bearer(token) }), { code: 401, errno: 104 });
  }
  assert.equal(fxa.calls.verify, 0);
});

test('a JWT signed with another algorithm (HS256) is anonymous', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  await fxa.mint({ scope: ['kinto'], jwt: true }); // publishes a key
  const forged = await new SignJWT({ client_id: 'abcd', scope: 'kinto' })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setSubject('mallory')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('x'.repeat(32)));
  assertKintoError(await kinto.app.inject({ url: PROTECTED, headers: bearer(forged) }), { code: 401 });
});

test('an opaque token never triggers a /jwks request', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  await hello(kinto, await fxa.mint({ scope: ['kinto'] }));
  await hello(kinto, 'e'.repeat(64));
  assert.equal(fxa.calls.jwks, 0);
  assert.equal(fxa.calls.verify, 2);
});

test('an empty key set sends JWTs to /verify, as PyFxA does', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ user: 'viaverify', scope: ['kinto'], jwt: true });
  fxa.state.publishKeys = false;
  assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:viaverify');
  assert.equal(fxa.calls.verify, 1);
});

test('the key set unavailable: 503 for JWTs', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ scope: ['kinto'], jwt: true });
  for (const mode of [{ kind: 'server-error' }, { kind: 'html-502' }] as const) {
    fxa.fail('jwks', mode);
    assertKintoError(await kinto.app.inject({ url: PROTECTED, headers: bearer(token) }), { code: 503, errno: 201 });
  }
  fxa.heal();
  assert.equal((await kinto.app.inject({ url: PROTECTED, headers: bearer(token) })).statusCode, 200);
});

test('a JWT verification is cached no longer than the token lives', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa));
  const token = await fxa.mint({ scope: ['kinto'], jwt: true, ttlSeconds: 2 });
  assert.equal((await kinto.app.inject({ url: PROTECTED, headers: bearer(token) })).statusCode, 200);
  // Wait until the claimed expiry (whole seconds) has passed, far below cache_ttl_seconds.
  const { exp } = decodeJwt(token);
  await new Promise((resolve) => setTimeout(resolve, Number(exp) * 1000 - Date.now() + 50));
  assertKintoError(await kinto.app.inject({ url: PROTECTED, headers: bearer(token) }), { code: 401 });
});
