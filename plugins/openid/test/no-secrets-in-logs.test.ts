// No log line carries an access token, a code, a state or the client secret
// (openid.md §8, §13 item 56; issue #7), through the dance, failures and outages.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { signInAtIdp, startOidcProvider } from './helpers/oidc-provider.js';
import { json, openIdSettings, startKinto } from './helpers/kinto.js';

test('logs of a login, authenticated calls, bad tokens and an outage hold no secrets', async (t) => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace' }, stream);
  const idp = await startOidcProvider([{ client_id: 'client-idp1', client_secret: 'very-secret-value', providers: ['idp1'] }], t);
  const kinto = await startKinto(t, openIdSettings({ idp1: { issuer: idp.issuer, client_secret: 'very-secret-value' } }, { log_level: 'trace' }), { logger });

  const start = await kinto.app.inject({ url: '/v1/openid/idp1/login?callback=http://app.example.com/%23t=&scope=openid' });
  const cookie = String(start.headers['set-cookie']).split(';')[0]!;
  const state = new URL(String(start.headers.location)).searchParams.get('state')!;
  const tokenUrl = await signInAtIdp(String(start.headers.location), 'alice', (url) => url.startsWith('http://localhost/'));
  const code = new URL(tokenUrl).searchParams.get('code')!;
  const back = await kinto.app.inject({ url: tokenUrl.slice('http://localhost'.length), headers: { cookie } });
  const tokens = JSON.parse(Buffer.from(decodeURIComponent(String(back.headers.location).split('#t=')[1]!), 'base64').toString()) as Record<string, string>;
  assert.equal(json(await kinto.app.inject({ url: '/v1/', headers: { authorization: `Bearer ${tokens.access_token}` } })).user.id, 'idp1:alice');
  await kinto.app.inject({ url: '/v1/', headers: { authorization: 'Bearer bad-token-value-123' } });
  await idp.stop();
  assert.equal((await kinto.app.inject({ url: '/v1/', headers: { authorization: 'Bearer outage-token-value-456' } })).statusCode, 503);
  await kinto.app.inject({ url: `/v1/openid/idp1/token?code=${code}&state=${state}`, headers: { cookie } });

  assert.ok(lines.length > 5, 'the server logged');
  const all = lines.join('');
  for (const secret of [tokens.access_token!, tokens.id_token!, code, state, 'very-secret-value', 'bad-token-value-123', 'outage-token-value-456']) {
    assert.equal(all.includes(secret), false, `a log line contains ${secret.slice(0, 6)}…`);
  }
});
