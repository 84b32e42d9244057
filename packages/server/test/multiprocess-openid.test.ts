// An OpenID Connect login started on one `kinto start` process completes on another
// (issue #8): the OAuth state lives in the shared Redis cache, the two processes sit
// "behind a balancer" (same `http_host`, so the same redirect_uri), and the state is
// single-use across both. The identity provider is the OpenID plugin's own test IdP
// (oidc-provider on loopback).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { redisTestUrl, serviceSkip, uniquePrefix } from '@kinto-ts/core/testing';
import { signInAtIdp, startOidcProvider } from '../../../plugins/openid/test/helpers/oidc-provider.js';

const skip = await serviceSkip('redis');
const OPENID = resolve(import.meta.dirname, '../../../plugins/openid');
const MAIN = resolve(import.meta.dirname, '../src/cli/main.ts');

/** `kinto start` run from the OpenID plugin's folder (where `kinto.plugins.openid` resolves); its URL once it listens. */
async function start(t: TestContext, ini: string): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN, 'start', '--ini', ini, '--port', '0'], {
    cwd: OPENID,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  let output = '';
  return new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /kinto listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`kinto start exited (${code}): ${output}`)));
  });
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { redirect: 'manual', headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

test('an OpenID login started on one process completes on the other, once', { skip, timeout: 120_000 }, async (t) => {
  const idp = await startOidcProvider([{ client_id: 'client-idp1', client_secret: 'secret-idp1', providers: ['idp1'] }], t);
  const dir = mkdtempSync(join(tmpdir(), 'kinto-multiprocess-openid-'));
  const ini = join(dir, 'kinto.ini');
  writeFileSync(
    ini,
    `[app:main]
kinto.includes = kinto.plugins.openid
multiauth.policies = idp1
multiauth.policy.idp1.use = kinto.plugins.openid.OpenIDConnectPolicy
multiauth.policy.idp1.issuer = ${idp.issuer}
multiauth.policy.idp1.client_id = client-idp1
multiauth.policy.idp1.client_secret = secret-idp1
kinto.cache_backend = kinto.core.cache.redis
kinto.cache_url = ${redisTestUrl()}
kinto.cache_prefix = ${uniquePrefix('multiprocess-openid')}
kinto.userid_hmac_secret = shared-by-every-process
kinto.http_host = localhost
kinto.http_scheme = http
kinto.log_level = info
`,
  );
  const [one, two] = await Promise.all([start(t, ini), start(t, ini)]);

  const callback = 'http://app.example.com/#tokens=';
  const login = await get(`${one}/v1/openid/idp1/login?callback=${encodeURIComponent(callback)}&scope=openid%20email`);
  assert.equal(login.status, 307, login.text);
  const cookie = String(login.headers.get('set-cookie')).split(';')[0]!;
  const back = await signInAtIdp(String(login.headers.get('location')), 'alice', (url) => url.startsWith('http://localhost/'));
  const path = back.slice('http://localhost'.length);

  // The IdP sends the browser back through the balancer: this time to the other process.
  const completed = await get(`${two}${path}`, { cookie });
  assert.equal(completed.status, 307, completed.text);
  const location = String(completed.headers.get('location'));
  assert.ok(location.startsWith(callback), location);
  const tokens = JSON.parse(Buffer.from(decodeURIComponent(location.slice(callback.length)), 'base64').toString('utf8')) as Record<string, string>;

  for (const base of [one, two]) {
    const hello = JSON.parse((await get(`${base}/v1/`, { authorization: `Bearer ${tokens.access_token}` })).text) as { user?: { id: string } };
    assert.equal(hello.user?.id, 'idp1:alice');
  }
  // Single use across processes: replaying the redirect on the first one is refused.
  const replay = await get(`${one}${path}`, { cookie });
  assert.equal(replay.status, 400);
  assert.equal(JSON.parse(replay.text).message, 'Invalid state');
});
