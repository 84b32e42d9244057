// The `fxa` capability and the `oauth` heartbeat (fxa.md §7–§8, checklist 35–38).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fxaSettings, startFxa, startKinto } from './helpers.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

test('GET /v1/ lists capabilities.fxa', async (t) => {
  const kinto = await startKinto(t, { includes: 'kinto_fxa' });
  const body = JSON.parse((await kinto.app.inject({ url: '/v1/' })).body);
  assert.deepEqual(body.capabilities.fxa, {
    version: pkg.version,
    description: 'You can authenticate to that server using Firefox Account.',
    url: 'https://github.com/Kinto/kinto-fxa',
  });
});

test('heartbeat: oauth is null when oauth_uri is unset, and the server is healthy', async (t) => {
  const kinto = await startKinto(t, { includes: 'kinto_fxa' });
  const response = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(response.statusCode, 200);
  assert.equal(JSON.parse(response.body).oauth, null);
});

test('heartbeat: oauth is true when FxA answers, asked at the host root even if oauth_uri ends with /v1', async (t) => {
  const fxa = await startFxa(t);
  for (const uri of [fxa.oauthUri, `${fxa.oauthUri}/`, fxa.origin]) {
    const kinto = await startKinto(t, fxaSettings(fxa, { 'fxa-oauth.oauth_uri': uri }));
    fxa.resetCalls();
    const response = await kinto.app.inject({ url: '/v1/__heartbeat__' });
    assert.equal(response.statusCode, 200);
    assert.equal(JSON.parse(response.body).oauth, true);
    assert.equal(fxa.calls.heartbeat, 1, uri);
  }
});

test('heartbeat: oauth is false (503) when FxA answers 500, is slow or unreachable', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, fxaSettings(fxa, { 'fxa-oauth.heartbeat_timeout_seconds': '0.2' }));
  const check = async () => {
    const response = await kinto.app.inject({ url: '/v1/__heartbeat__' });
    assert.equal(response.statusCode, 503);
    assert.equal(JSON.parse(response.body).oauth, false);
  };
  fxa.fail('heartbeat', { kind: 'server-error' });
  await check();
  fxa.fail('heartbeat', { kind: 'delay', ms: 3000 });
  await check();
  fxa.heal();
  await fxa.stop();
  await check();
});
