// The multiauth chain and the basicauth policy (settings.md §5, checklist 5–9, 14).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definePlugin, StartupError, type PolicyFactory } from '../src/index.js';
import { assertKintoError, basicAuth, buildServer } from '../src/testing/index.js';
import { echoPlugin } from './fixtures/echo-plugin.js';

const MAT = 'basicauth:8a931a10fc88ab2f6d1cc02a07d3a81b5d4768f6f13e85c5d8d4180419acb1b4';
const ALICE = 'basicauth:d5b0026601f1b251974e09548d44155e16812e3c64ff7ae053fe3542e2ca1570';

async function hello(kinto: Awaited<ReturnType<typeof buildServer>>, authorization?: string) {
  const r = await kinto.app.inject({ url: '/v1/', headers: authorization === undefined ? {} : { authorization } });
  assert.ok(r.statusCode < 500, `status ${r.statusCode} for ${JSON.stringify(authorization?.slice(0, 40))}`);
  return JSON.parse(r.body) as { user?: { id: string; principals: string[] } };
}

test('basicauth: the spec test vectors; same credentials same id, another password another id', async (t) => {
  const kinto = await buildServer();
  t.after(() => kinto.close());
  const user = (await hello(kinto, basicAuth('mat', 'secret'))).user!;
  assert.equal(user.id, MAT);
  assert.deepEqual(user.principals.slice(0, 1), [MAT]);
  assert.ok(user.principals.includes('system.Everyone') && user.principals.includes('system.Authenticated'));
  assert.equal((await hello(kinto, basicAuth('alice', 'secret'))).user!.id, ALICE);
  assert.equal((await hello(kinto, basicAuth('mat', 'secret'))).user!.id, MAT);
  assert.notEqual((await hello(kinto, basicAuth('mat', 'other'))).user!.id, MAT);
});

test('basicauth: the user id is keyed by userid_hmac_secret', async (t) => {
  const kinto = await buildServer({ userid_hmac_secret: 'another' });
  t.after(() => kinto.close());
  assert.notEqual((await hello(kinto, basicAuth('mat'))).user!.id, MAT);
});

test('malformed Authorization headers are anonymous, never a 5xx', async (t) => {
  const kinto = await buildServer();
  t.after(() => kinto.close());
  const malformed = [
    'bWF0OnNlY3JldA==', // no scheme
    'Basic !!!notbase64',
    `Basic ${Buffer.from('nocolon').toString('base64')}`,
    'Basic ',
    '',
    `Basic ${'A'.repeat(10_240)}`,
    `Basic ${Buffer.from('mät:sécret', 'latin1').toString('base64')}`,
    'Digest username="mat"',
    `Basic ${Buffer.from(':secret').toString('base64')}`, // empty username
  ];
  for (const header of malformed) assert.equal((await hello(kinto, header)).user, undefined, header.slice(0, 30));
  const nonAscii = await kinto.app.inject({ url: '/v1/', headers: { authorization: 'Basic \u00e9\u00e9' } });
  assert.equal(nonAscii.statusCode, 200);
});

test('anonymous protected request: 401/104 with one WWW-Authenticate per policy (checklist 9, 163)', async (t) => {
  const realm: PolicyFactory = () => ({ authenticate: async () => null, challenge: () => 'Bearer realm="Other"' });
  const kinto = await buildServer(
    { includes: 'echo realm', 'multiauth.policies': 'basicauth other', 'multiauth.policy.other.use': 'other-policy' },
    { plugins: { echo: echoPlugin, realm: definePlugin({ name: 'realm', includeme: (api) => api.addPolicy('other-policy', realm) }) } },
  );
  t.after(() => kinto.close());
  const r = await kinto.app.inject({ method: 'POST', url: '/v1/echo' });
  const body = assertKintoError(r, { code: 401, errno: 104, message: 'Please authenticate yourself to use this endpoint.' });
  assert.deepEqual(body, { code: 401, errno: 104, error: 'Unauthorized', message: 'Please authenticate yourself to use this endpoint.' });
  assert.deepEqual(r.headers['www-authenticate'], ['Basic realm="Realm"', 'Bearer realm="Other"']);
});

test('the first policy that identifies wins; a policy name attribute sets the prefix (checklist 8)', async (t) => {
  const named: PolicyFactory = () => ({ name: 'foobar', authenticate: async () => ({ userId: 'x', principals: ['extra:p'] }), challenge: () => null });
  const kinto = await buildServer(
    { includes: 'p', 'multiauth.policies': 'Custom basicauth', 'multiauth.policy.Custom.use': 'named' },
    { plugins: { p: definePlugin({ name: 'p', includeme: (api) => api.addPolicy('named', named) }) } },
  );
  t.after(() => kinto.close());
  const user = (await hello(kinto, basicAuth('mat'))).user!;
  assert.equal(user.id, 'foobar:x');
  assert.ok(user.principals.includes('extra:p'));
});

test('configured name lower-cased as prefix when the policy has no name', async (t) => {
  const unnamed: PolicyFactory = () => ({ authenticate: async () => ({ userId: 'u1' }), challenge: () => null });
  const kinto = await buildServer(
    { includes: 'p', 'multiauth.policies': 'Google', 'multiauth.policy.Google.use': 'unnamed' },
    { plugins: { p: definePlugin({ name: 'p', includeme: (api) => api.addPolicy('unnamed', unnamed) }) } },
  );
  t.after(() => kinto.close());
  assert.equal((await hello(kinto, 'Bearer t')).user!.id, 'google:u1');
});

test('a policy with no use entry and no registered name fails start-up (checklist 5)', async () => {
  await assert.rejects(
    buildServer({ 'multiauth.policies': 'dummy' }),
    (error: unknown) => error instanceof StartupError && error.code === 'KINTO_ERR_POLICY' && /dummy/.test(error.message),
  );
  await assert.rejects(buildServer({ 'multiauth.policies': 'x', 'multiauth.policy.x.use': 'no.such.Policy' }), /no\.such\.Policy/);
});

test('no policies: nobody can authenticate', async (t) => {
  const kinto = await buildServer({ 'multiauth.policies': '' });
  t.after(() => kinto.close());
  assert.equal((await hello(kinto, basicAuth('mat'))).user, undefined);
  assert.equal(JSON.parse((await kinto.app.inject({ url: '/v1/' })).body).capabilities.basicauth, undefined);
});
