// kinto.plugins.admin (kinto-api.md B7, §10.6, settings.md §3.13): the capability,
// `/permissions` switched on, a Kinto Admin build served from `admin_assets_path`
// (else a clear 404), and CORS for the UI when it is served from another origin.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { basicAuth } from '@kinto-ts/core/testing';
import { expectStatus, kintoServer, type Reply } from './resource-helpers.js';

function expect(reply: Reply, status = 200, errno?: number): any {
  return expectStatus(reply, status, errno);
}

/** A stand-in for a Kinto Admin build: what matters is the layout, not the UI. */
function adminBuild(): string {
  const root = mkdtempSync(join(tmpdir(), 'kinto-admin-build-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body></body></html>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("kinto admin");\n');
  writeFileSync(join(root, 'VERSION'), '3.4.1\n');
  writeFileSync(join(root, '.env'), 'SECRET=1\n');
  return root;
}

const ADMIN_CAPABILITY = { description: 'Serves the admin console.', url: 'https://github.com/Kinto/kinto-admin/' };

test('without admin_assets_path: capability, /permissions enabled, a 404 that says what to do', async (t) => {
  const client = await kintoServer(t, { includes: 'kinto.plugins.admin' });
  const hello = expect(await client.get('/v1/', { auth: null }));
  assert.deepEqual(hello.capabilities.admin, { version: null, ...ADMIN_CAPABILITY });
  assert.ok(hello.capabilities.permissions_endpoint);
  expect(await client.get('/v1/permissions'));
  for (const path of ['/v1/admin/', '/v1/admin/index.html', '/v1/admin/assets/app.js']) {
    const reply = expect(await client.get(path, { auth: null }), 404, 111);
    assert.match(reply.message, /Kinto Admin UI is not installed.*admin_assets_path/);
  }
  const redirect = await client.get('/v1/admin?x=1', { auth: null });
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.location, 'http://localhost:80/v1/admin/?x=1');
  // Without the plugin there is no admin route and no permissions endpoint (checklist 191).
  const bare = await kintoServer(t);
  expect(await bare.get('/v1/admin', { auth: null }), 404, 111);
  expect(await bare.get('/v1/permissions'), 404, 111);
  assert.equal(expect(await bare.get('/v1/', { auth: null })).capabilities.admin, undefined);
});

test('every include name of the plugin enables /permissions', async (t) => {
  for (const name of ['admin', '@kinto-ts/server/admin']) {
    const client = await kintoServer(t, { includes: name });
    expect(await client.get('/v1/permissions'));
  }
});

test('serves a Kinto Admin build from admin_assets_path, files of the build only', async (t) => {
  const root = adminBuild();
  const client = await kintoServer(t, { includes: 'kinto.plugins.admin', admin_assets_path: root });
  assert.deepEqual(expect(await client.get('/v1/', { auth: null })).capabilities.admin, { version: '3.4.1', ...ADMIN_CAPABILITY });
  const index = await client.get('/v1/admin/', { auth: null });
  expect(index);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  assert.match(index.text, /assets\/app\.js/);
  // The API's `default-src 'none'` would block the UI's own scripts.
  assert.match(String(index.headers['content-security-policy']), /default-src 'self'/);
  const script = await client.get('/v1/admin/assets/app.js', { auth: null });
  expect(script);
  assert.match(String(script.headers['content-type']), /javascript/);
  assert.equal(script.text, 'console.log("kinto admin");\n');
  assert.match(String(script.headers.etag), /.+/);
  for (const path of ['/v1/admin/missing.js', '/v1/admin/.env', '/v1/admin/..%2F..%2Fetc%2Fpasswd', '/v1/admin/assets/..%2F..%2F.env']) {
    const reply = expect(await client.get(path, { auth: null }), 404, 111);
    assert.doesNotMatch(JSON.stringify(reply), /SECRET|root:/);
  }
  // Dot segments never reach the file server (the router resolves them first).
  const dots = await client.get('/v1/admin/%2e%2e/%2e%2e/etc/passwd', { auth: null });
  assert.notEqual(dots.status, 200);
  assert.doesNotMatch(dots.text, /root:/);
  // The API keeps its strict policy.
  assert.equal(
    (await client.get('/v1/', { auth: null })).headers['content-security-policy'],
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; ",
  );
});

test('admin_assets_path without an index.html stops start-up', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'kinto-admin-empty-'));
  await assert.rejects(kintoServer(t, { includes: 'kinto.plugins.admin', admin_assets_path: empty }), {
    name: 'StartupError',
    message: /admin_assets_path/,
  });
});

test('CORS lets the Admin UI from another origin log in, browse, count, edit and read history', async (t) => {
  const ORIGIN = 'https://admin.example.org';
  const client = await kintoServer(t, {
    includes: 'kinto.plugins.admin kinto.plugins.accounts kinto.plugins.history',
    'multiauth.policies': 'account',
    'multiauth.policy.account.use': 'kinto.plugins.accounts.AccountsPolicy',
    account_create_principals: 'system.Everyone',
    account_bcrypt_rounds: 4,
    bucket_create_principals: 'system.Authenticated',
    cors_origins: ORIGIN,
  });
  const auth = basicAuth('admin', 's3cret');
  const headers = { origin: ORIGIN };
  const cors = (reply: Reply, exposed: string[] = []) => {
    assert.equal(reply.headers['access-control-allow-origin'], ORIGIN, reply.text);
    const list = String(reply.headers['access-control-expose-headers'] ?? '').split(', ');
    for (const name of ['Backoff', 'Retry-After', 'Alert', 'Content-Length', 'Content-Type', ...exposed]) assert.ok(list.includes(name), `${name} in ${list}`);
  };
  const preflight = async (path: string, method: string) => {
    const reply = await client.request('OPTIONS', path, {
      auth: null,
      headers: { ...headers, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type,if-match,if-none-match' },
    });
    expect(reply);
    assert.equal(reply.headers['access-control-allow-origin'], ORIGIN);
    assert.ok(String(reply.headers['access-control-allow-methods']).split(',').includes(method), `${method} ${path}`);
    const allowed = String(reply.headers['access-control-allow-headers']).toLowerCase().split(',');
    for (const name of ['authorization', 'content-type', 'if-match', 'if-none-match']) assert.ok(allowed.includes(name));
  };

  await preflight('/v1/accounts/admin', 'PUT');
  cors(await client.put('/v1/accounts/admin', { data: { password: 's3cret' } }, { auth: null, headers }));
  const hello = await client.get('/v1/', { auth, headers });
  assert.equal(expect(hello).user.id, 'account:admin');
  cors(hello);
  const refused = await client.get('/v1/buckets', { auth: basicAuth('admin', 'wrong'), headers });
  expect(refused, 401);
  cors(refused);

  await preflight('/v1/batch', 'POST');
  cors(
    await client.post(
      '/v1/batch',
      { requests: [{ method: 'PUT', path: '/buckets/b' }, { method: 'PUT', path: '/buckets/b/collections/c' }] },
      { auth, headers },
    ),
  );
  cors(await client.get('/v1/buckets', { auth, headers }), ['Next-Page', 'Last-Modified', 'ETag']);
  await preflight('/v1/buckets/b/collections/c/records', 'POST');
  cors(await client.post('/v1/buckets/b/collections/c/records', { data: { title: 'x' } }, { auth, headers }));
  const count = await client.request('HEAD', '/v1/buckets/b/collections/c/records', { auth, headers });
  cors(count, ['Total-Records', 'Total-Objects', 'ETag']);
  assert.equal(count.headers['total-records'], '1');
  await preflight('/v1/buckets/b/collections/c', 'PATCH');
  await preflight('/v1/buckets/b/collections/c', 'DELETE');
  cors(await client.patch('/v1/buckets/b/collections/c', { data: { displayFields: ['title'] } }, { auth, headers: { ...headers, 'if-match': '*' } }));
  cors(await client.get('/v1/buckets/b/collections/c', { auth, headers }), ['ETag', 'Last-Modified']);
  cors(await client.get('/v1/permissions', { auth, headers }), ['Next-Page']);
  cors(await client.get('/v1/buckets/b/history?_limit=2', { auth, headers }), ['Next-Page', 'ETag']);
  await preflight('/v1/buckets/b/snapshot/collections/c@0', 'GET');
  cors(await client.get(`/v1/buckets/b/snapshot/collections/c@${Date.now()}`, { auth, headers }));
  // Another origin is refused, as Kinto does.
  expect(await client.get('/v1/', { auth, headers: { origin: 'https://evil.example' } }), 400, 107);
});
