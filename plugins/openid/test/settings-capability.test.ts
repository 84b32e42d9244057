// Loading, start-up checks, capability, OpenAPI and heartbeat (openid.md §1–§3, §6,
// §11; checklist 1–10, 55), with providers served by a loopback IdP.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createServerFromIni } from '@kinto-ts/server';
import { json, openIdSettings, startKinto } from './helpers/kinto.js';
import { startLoopbackIdp } from './helpers/loopback-idp.js';

test('included without an OpenID policy: routes only, no capability, profile or heartbeat', async (t) => {
  const kinto = await startKinto(t, { includes: 'kinto.plugins.openid test-protected', 'multiauth.policies': 'basicauth', log_level: 'silent' });
  const basic = `Basic ${Buffer.from('mat:secret').toString('base64')}`;
  const hello = json(await kinto.app.inject({ url: '/v1/', headers: { authorization: basic } }));
  assert.equal(hello.capabilities.openid, undefined);
  assert.equal('profile' in hello.user, false);
  assert.equal('openid' in json(await kinto.app.inject({ url: '/v1/__heartbeat__' })), false);
  const login = await kinto.app.inject({ url: '/v1/openid/google/login?callback=http://app.example.com&scope=openid' });
  assert.equal(login.statusCode, 400);
  assert.match(login.body, /Unknown provider 'google'/);
});

test('capability: enabled providers in policy order, discovered values, real header_type; __api__ and heartbeat', async (t) => {
  const idp = await startLoopbackIdp(t);
  const other = await startLoopbackIdp(t);
  const kinto = await startKinto(
    t,
    openIdSettings(
      {
        auth0: { issuer: idp.issuer, client_id: 'abc', audience: 'nonprod', header_type: 'Bearer+OIDC' },
        google: { issuer: `${other.issuer}/`, userid_field: 'email' },
      },
      // Defined but not listed in multiauth.policies: not exposed (#1509).
      { 'multiauth.policy.extra.use': 'kinto.plugins.openid.OpenIDConnectPolicy', 'multiauth.policy.extra.issuer': idp.issuer },
    ),
  );
  const hello = json(await kinto.app.inject({ url: '/v1/' }));
  assert.deepEqual(hello.capabilities.openid, {
    description: 'OpenID connect support.',
    url: 'http://kinto.readthedocs.io/en/stable/api/1.x/authentication.html',
    providers: [
      { name: 'auth0', issuer: idp.issuer, auth_path: '/openid/auth0/login', client_id: 'abc', audience: 'nonprod', header_type: 'Bearer+OIDC', userinfo_endpoint: `${idp.issuer}/userinfo` },
      { name: 'google', issuer: other.issuer, auth_path: '/openid/google/login', client_id: 'client-google', audience: '', header_type: 'Bearer', userinfo_endpoint: `${other.issuer}/userinfo` },
    ],
  });
  const api = json(await kinto.app.inject({ url: '/v1/__api__' }));
  assert.deepEqual(api.securityDefinitions.auth0, { type: 'oauth2', authorizationUrl: `${idp.issuer}/authorize` });
  // Discovery once per issuer, from `{issuer without trailing /}/.well-known/openid-configuration`.
  assert.equal(idp.count('/.well-known/openid-configuration'), 1);
  assert.equal(other.count('/.well-known/openid-configuration'), 1);

  const up = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(up.statusCode, 200);
  assert.equal(json(up).openid, true);
  assert.equal(idp.count('/jwks'), 1, 'the audience provider has its JWKS checked');
  other.answers.set('/.well-known/openid-configuration', { status: 500, body: '{}' });
  const down = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(down.statusCode, 503);
  assert.equal(json(down).openid, false);
  // The heartbeat never replaced the memoised discovery.
  assert.equal(json(await kinto.app.inject({ url: '/v1/' })).capabilities.openid.providers[1].issuer, other.issuer);
});

test('start-up fails with a message naming the provider', async (t) => {
  const idp = await startLoopbackIdp(t);
  const start = (values: Record<string, string>) => startKinto(t, values);
  await assert.rejects(start(openIdSettings({ idp1: { issuer: 'http://127.0.0.1:1' } })), /OpenID provider 'idp1': discovery document http:\/\/127\.0\.0\.1:1\/\.well-known\/openid-configuration is unusable/);
  idp.answers.set('/.well-known/openid-configuration', { status: 200, body: '{"issuer": "x"}' });
  await assert.rejects(start(openIdSettings({ idp2: { issuer: idp.issuer } })), /OpenID provider 'idp2'.*missing authorization_endpoint/);
  idp.answers.set('/.well-known/openid-configuration', { status: 200, body: 'not json' });
  await assert.rejects(start(openIdSettings({ idp3: { issuer: `${idp.issuer}/` } })), /OpenID provider 'idp3'.*invalid JSON/);
  await assert.rejects(start(openIdSettings({ idp4: { issuer: '' } })), /multiauth\.policy\.idp4\.issuer is required/);
  await assert.rejects(start(openIdSettings({ idp5: { issuer: idp.issuer, client_id: '' } })), /multiauth\.policy\.idp5\.client_id is required/);
  await assert.rejects(start(openIdSettings({ idp6: { issuer: idp.issuer, state_length: '8' } })), /multiauth\.policy\.idp6\.state_length/);
  await assert.rejects(start(openIdSettings({ idp7: { issuer: idp.issuer, verification_ttl_seconds: 'soon' } })), /multiauth\.policy\.idp7\.verification_ttl_seconds/);
});

test('loads from an .ini file with the Python names', async (t) => {
  const idp = await startLoopbackIdp(t);
  const dir = await mkdtemp(join(tmpdir(), 'kinto-openid-ini-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ini = join(dir, 'kinto.ini');
  await writeFile(
    ini,
    [
      '[app:main]',
      'kinto.includes = kinto.plugins.openid',
      'multiauth.policies = google',
      'multiauth.policy.google.use = kinto.plugins.openid.OpenIDConnectPolicy',
      `multiauth.policy.google.issuer = ${idp.issuer}`,
      'multiauth.policy.google.client_id = 42XXXX365001.apps.googleusercontent.com',
      'multiauth.policy.google.client_secret = UAlL-054uyh5in4b6u8jhg5o3hnj',
      'multiauth.policy.google.authorized_domains = *.example.com',
      'kinto.log_level = silent',
      '',
    ].join('\n'),
  );
  const kinto = await createServerFromIni(ini, { logger: false, env: {} });
  t.after(() => kinto.close());
  const providers = json(await kinto.app.inject({ url: '/v1/' })).capabilities.openid.providers;
  assert.equal(providers[0].client_id, '42XXXX365001.apps.googleusercontent.com');
  const refused = await kinto.app.inject({ url: '/v1/openid/google/login?callback=https://evil.test.org/&scope=openid' });
  assert.equal(json(refused).message, 'callback URL is not authorized');
  idp.users.set('tok', { sub: 'abc' });
  const hello = json(await kinto.app.inject({ url: '/v1/', headers: { authorization: 'Bearer tok' } }));
  assert.equal(hello.user.id, 'google:abc');
});
