// Issue #6 acceptance: the `.ini` of kinto-fxa's README starts the server and
// authenticates a token; a batch verifies its token once; on a real Redis cache no
// key or value holds a raw token, and neither do the logs.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisTestUrl, serviceSkip, uniquePrefix } from '@kinto-ts/core/testing';
import { createServerFromIni } from '@kinto-ts/server';
import { InspectableCache, PROTECTED, bearer, captureLogs, fxaSettings, hello, startFxa, startKinto, userOf } from './helpers.js';

const redisSkip = await serviceSkip('redis');

/** kinto-fxa's README configuration, `oauth_uri` pointing at the fixture. */
function readmeIni(oauthUri: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinto-fxa-readme-'));
  const path = join(dir, 'kinto.ini');
  writeFileSync(
    path,
    `[app:main]
use = egg:kinto
kinto.includes = kinto_fxa

fxa-oauth.client_id = 89513028159972bc
fxa-oauth.client_secret = 9aced230585cc0aaea0a3467dd800
fxa-oauth.oauth_uri = ${oauthUri}
fxa-oauth.requested_scope = profile kinto
fxa-oauth.required_scope = kinto
fxa-oauth.relier.enabled = true
fxa-oauth.webapp.authorized_domains = *.firefox.com
# fxa-oauth.cache_ttl_seconds = 300
# fxa-oauth.state.ttl_seconds = 3600

multiauth.policies = fxa basicauth
multiauth.policy.fxa.use = kinto_fxa.authentication.FxAOAuthAuthenticationPolicy
kinto.log_level = silent

[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = %(http_port)s
`,
  );
  return path;
}

test("the .ini of kinto-fxa's README starts the server and authenticates a token", async (t) => {
  const fxa = await startFxa(t);
  const kinto = await createServerFromIni(readmeIni(fxa.oauthUri), { logger: false });
  t.after(() => kinto.close());
  const token = await fxa.mint({ user: '5901bd09376fadaa076afacef5251b6a', scope: ['profile', 'kinto'] });
  const { status, body } = await hello(kinto, token);
  assert.equal(status, 200);
  assert.equal(userOf(body)?.id, 'fxa:5901bd09376fadaa076afacef5251b6a');
  const capabilities = body.capabilities as Record<string, unknown>;
  assert.ok(capabilities.fxa && capabilities.basicauth);
  const params = JSON.parse((await kinto.app.inject({ url: '/v1/fxa-oauth/params' })).body);
  assert.deepEqual(params, { client_id: '89513028159972bc', oauth_uri: fxa.oauthUri, scope: 'kinto' });
  const anonymous = await kinto.app.inject({ url: '/v1/buckets', headers: bearer('0'.repeat(64)) });
  assert.equal(anonymous.statusCode, 401);
  assert.deepEqual([anonymous.headers['www-authenticate']].flat(), ['Bearer realm="Realm"', 'Basic realm="Realm"']);
});

test('a batch and its sub-requests verify the token once', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  cache.failing.add('get'); // only the request memo can save the second verification
  const kinto = await startKinto(t, fxaSettings(fxa), { cache });
  const token = await fxa.mint({ user: 'batcher', scope: ['kinto'] });
  const response = await kinto.app.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: bearer(token),
    payload: { requests: [{ path: '/protected' }, { path: '/protected' }, { path: '/' }] },
  });
  assert.equal(response.statusCode, 200, response.body);
  const responses = JSON.parse(response.body).responses as Array<{ status: number; body: { user?: unknown } }>;
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
  assert.equal(responses[0]!.body.user, 'fxa:batcher');
  assert.equal(fxa.calls.verify, 1);
});

/** A few Redis commands over RESP, enough to read the cache back. */
async function redis(commands: string[][]): Promise<unknown[]> {
  const url = new URL(redisTestUrl());
  const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
  const payload = commands.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join('');
  socket.write(payload);
  let buffer = '';
  const replies: unknown[] = [];
  const parse = (text: string, at: number): [unknown, number] | null => {
    const end = text.indexOf('\r\n', at);
    if (end < 0) return null;
    const head = text[at];
    const rest = text.slice(at + 1, end);
    if (head === '+' || head === '-') return [rest, end + 2];
    if (head === ':') return [Number(rest), end + 2];
    if (head === '$') {
      const length = Number(rest);
      if (length < 0) return [null, end + 2];
      if (Buffer.byteLength(text.slice(end + 2)) < length + 2) return null;
      return [text.slice(end + 2, end + 2 + length), end + 4 + length];
    }
    const items: unknown[] = [];
    let next = end + 2;
    for (let i = 0; i < Number(rest); i++) {
      const item = parse(text, next);
      if (!item) return null;
      items.push(item[0]);
      next = item[1];
    }
    return [items, next];
  };
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      replies.length = 0;
      let at = 0;
      while (at < buffer.length) {
        const parsed = parse(buffer, at);
        if (!parsed) return;
        replies.push(parsed[0]);
        at = parsed[1];
      }
      if (replies.length === commands.length) resolve();
    });
  });
  socket.destroy();
  return replies;
}

test('on the Redis cache no key or value holds a raw token; nor do the logs', { skip: redisSkip }, async (t: TestContext) => {
  const fxa = await startFxa(t);
  const prefix = uniquePrefix('fxa-acceptance');
  const logs = captureLogs();
  const kinto = await startKinto(
    t,
    fxaSettings(fxa, {
      cache_backend: 'kinto.core.cache.redis',
      cache_url: redisTestUrl(),
      cache_prefix: prefix,
      'fxa-oauth.client_id': '89513028159972bc',
      'fxa-oauth.client_secret': 'd'.repeat(64),
      'fxa-oauth.webapp.authorized_domains': '*.firefox.com',
    }),
    { logs },
  );
  t.after(async () => {
    const [left] = (await redis([['KEYS', `${prefix}*`]])) as [string[]];
    if (left.length) await redis([['DEL', ...left]]);
  });
  const good = await fxa.mint({ user: 'redisuser', scope: ['kinto'] });
  const jwt = await fxa.mint({ user: 'redisjwt', scope: ['kinto'], jwt: true });
  const bad = '9'.repeat(64);
  assert.equal(userOf((await hello(kinto, good)).body)?.id, 'fxa:redisuser');
  assert.equal(userOf((await hello(kinto, jwt)).body)?.id, 'fxa:redisjwt');
  assert.equal((await kinto.app.inject({ url: PROTECTED, headers: bearer(bad) })).statusCode, 401);
  assert.equal((await kinto.app.inject({ url: '/v1/fxa-oauth/login?redirect=https://a.firefox.com/%23' })).statusCode, 302);
  fxa.fail('verify', { kind: 'server-error' });
  assert.equal((await hello(kinto, '8'.repeat(64))).status, 503);

  const [keys] = (await redis([['KEYS', `${prefix}*`]])) as [string[]];
  assert.ok(keys.some((k) => k.startsWith(`${prefix}fxa-oauth:verify:`)), keys.join());
  assert.ok(keys.some((k) => k.startsWith(`${prefix}fxa-oauth:invalid:`)), keys.join());
  assert.ok(keys.some((k) => k.startsWith(`${prefix}fxa-oauth:state:`)), keys.join());
  const values = await redis(keys.map((k) => ['GET', k]));
  const everything = JSON.stringify([keys, values, logs.lines]);
  for (const token of [good, jwt, bad, '8'.repeat(64), 'd'.repeat(64)]) {
    assert.ok(!everything.includes(token), 'a token or the client secret leaked into the cache or the logs');
  }
});
