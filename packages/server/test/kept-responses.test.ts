// Kept responses (packages/core/src/http/kept-responses.ts) and reused identities
// (authentication/multiauth.ts): on in-process backends a repeated list read by the
// same identity is answered from the first request hook. Every way the answer can
// change between two reads must show in the second one, and a kept answer must be
// the same response a routed request would give.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthenticationPolicy, KintoApp, PluginApi } from '@kinto-ts/core';
import { basicAuth } from '@kinto-ts/core/testing';
import { pino } from 'pino';
import { A, A_ID, B, B_ID, expectStatus, kintoServer, type Client } from './resource-helpers.js';

const R = '/v1/buckets/b1/collections/c1/records';

async function setup(c: Client): Promise<void> {
  expectStatus(await c.put('/v1/buckets/b1'), 201);
  expectStatus(await c.put('/v1/buckets/b1/collections/c1'), 201);
  for (let i = 0; i < 3; i++) expectStatus(await c.put(`${R}/r${i}`, { data: { n: i } }), 201);
}

/** Counts the requests that reach a resource (every routed list read asks for the list timestamp). */
function countRouted(kinto: KintoApp): { readonly count: number } {
  const storage = kinto.registry.storage;
  const original = storage.resourceTimestamp.bind(storage);
  const counter = { count: 0 };
  storage.resourceTimestamp = (...args: Parameters<typeof original>) => {
    counter.count++;
    return original(...args);
  };
  return counter;
}

/** Kept responses and reused identities need backends that can tell they are unchanged: not the PostgreSQL variant of the suites. */
function skipShared(t: TestContext, c: Client): boolean {
  if (c.kinto.registry.storage.generation !== undefined) return false;
  t.skip('kept responses and reused identities exist only on in-process storage and permission backends');
  return true;
}

function withoutDate(headers: Record<string, unknown>): Record<string, unknown> {
  const { date: _date, ...rest } = headers;
  return rest;
}

test('a repeated page read is answered from its kept response, headers and bytes as routed', async (t) => {
  const c = await kintoServer(t);
  if (skipShared(t, c)) return;
  await setup(c);
  const routed = countRouted(c.kinto);
  const first = await c.get(`${R}?_sort=n`);
  assert.equal(routed.count, 1);
  const second = await c.get(`${R}?_sort=n`);
  const third = await c.get(`${R}?_sort=n`);
  assert.equal(routed.count, 1, 'the second and third reads were not routed');
  for (const reply of [second, third]) {
    assert.equal(reply.status, 200);
    assert.equal(reply.text, first.text);
    assert.deepEqual(withoutDate(reply.headers), withoutDate(first.headers));
  }
  assert.equal(second.headers['x-content-type-options'], 'nosniff');
  assert.equal(second.headers['content-type'], 'application/json');
  // Another query is routed; another user (same name, other password) is refused.
  expectStatus(await c.get(`${R}?_sort=-n`), 200);
  assert.equal(routed.count, 2);
  expectStatus(await c.get(`${R}?_sort=n`, { auth: basicAuth('mat', 'other-password') }), 403, 121);
});

test('record writes, permission writes and group membership changes show in the next read', async (t) => {
  const c = await kintoServer(t);
  if (skipShared(t, c)) return;
  await setup(c);
  const { permission } = c.kinto.registry;
  expectStatus(await c.get(R), 200);
  expectStatus(await c.put(`${R}/r3`, { data: { n: 3 } }), 201);
  assert.equal(expectStatus(await c.get(R), 200).data.length, 4);

  // B reads through the collection's ACL; taken back in the permission backend alone.
  expectStatus(await c.patch('/v1/buckets/b1/collections/c1', { permissions: { read: [B_ID] } }), 200);
  for (let i = 0; i < 2; i++) assert.equal(expectStatus(await c.get(R, { auth: B }), 200).data.length, 4);
  await permission.removePrincipalFromAce('/buckets/b1/collections/c1', 'read', B_ID);
  expectStatus(await c.get(R, { auth: B }), 403, 121);

  // B reads through a group; membership removed in the permission backend alone.
  expectStatus(await c.put('/v1/buckets/b1/groups/readers', { data: { members: [B_ID] } }), 201);
  expectStatus(await c.patch('/v1/buckets/b1/collections/c1', { permissions: { read: ['/buckets/b1/groups/readers'] } }), 200);
  for (let i = 0; i < 2; i++) assert.equal(expectStatus(await c.get(R, { auth: B }), 200).data.length, 4);
  await permission.removeUserPrincipal(B_ID, '/buckets/b1/groups/readers');
  expectStatus(await c.get(R, { auth: B }), 403, 121);

  // Anonymous readers (no identity to check again) through `system.Everyone`.
  expectStatus(await c.patch('/v1/buckets/b1/collections/c1', { permissions: { read: ['system.Everyone'] } }), 200);
  for (let i = 0; i < 2; i++) assert.equal(expectStatus(await c.get(R, { auth: null }), 200).data.length, 4);
  await permission.removePrincipalFromAce('/buckets/b1/collections/c1', 'read', 'system.Everyone');
  expectStatus(await c.get(R, { auth: null }), 401, 104);
});

test('Origin, Accept and conditional headers are answered per request', async (t) => {
  const c = await kintoServer(t, { cors_origins: 'https://ok.example' });
  if (skipShared(t, c)) return;
  await setup(c);
  const routed = countRouted(c.kinto);
  const ok = { origin: 'https://ok.example' };
  const first = await c.get(R, { headers: ok });
  const again = await c.get(R, { headers: ok });
  assert.equal(routed.count, 1);
  assert.equal(again.headers['access-control-allow-origin'], 'https://ok.example');
  assert.equal(again.headers['access-control-expose-headers'], first.headers['access-control-expose-headers']);
  expectStatus(await c.get(R, { headers: { origin: 'https://evil.example' } }), 400, 107);
  expectStatus(await c.get(R, { headers: { ...ok, accept: 'text/html' } }), 406);
  expectStatus(await c.get(R, { headers: { ...ok, 'if-none-match': String(first.headers.etag) } }), 304);
  expectStatus(await c.get(R, { headers: { ...ok, 'if-match': '"1"' } }), 412, 114);
  // Without Origin: no CORS headers, as routed.
  const plain = await c.get(R);
  assert.equal(plain.headers['access-control-allow-origin'], undefined);
  assert.equal((await c.get(R)).headers['access-control-allow-origin'], undefined);
});

test('anonymous pages with a moving Expires date are routed every time', async (t) => {
  const c = await kintoServer(t);
  if (skipShared(t, c)) return;
  await setup(c);
  expectStatus(await c.patch('/v1/buckets/b1/collections/c1', { data: { cache_expires: 60 }, permissions: { read: ['system.Everyone'] } }), 200);
  const routed = countRouted(c.kinto);
  for (let i = 0; i < 3; i++) {
    const reply = await c.get(R, { auth: null });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['cache-control'], 'max-age=60');
  }
  assert.equal(routed.count, 3);
  // Without cache_expires an anonymous page is kept like any other.
  expectStatus(await c.put('/v1/buckets/b1/collections/c1', { data: {}, permissions: { read: ['system.Everyone'] } }), 200);
  const before = routed.count;
  for (let i = 0; i < 3; i++) assert.equal((await c.get(R, { auth: null })).headers['cache-control'], 'no-cache, no-store');
  assert.equal(routed.count, before + 1);
});

test('the summary log line of a kept answer names its user, status and path', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const c = await kintoServer(t, {}, { logger: pino({ level: 'info' }, stream) });
  if (skipShared(t, c)) return;
  await setup(c);
  const routed = countRouted(c.kinto);
  for (let i = 0; i < 2; i++) expectStatus(await c.get(`${R}?_sort=n`, { headers: { 'x-request-id': `read-${i}` } }), 200);
  assert.equal(routed.count, 1);
  const summaries = lines.filter((l) => l.logger === 'request.summary' && String(l.rid).startsWith('read-'));
  assert.equal(summaries.length, 2);
  for (const line of summaries) {
    assert.equal(line.uid, A_ID);
    assert.equal(line.authn_type, 'basicauth');
    assert.equal(line.code, 200);
    assert.equal(line.path, R);
    assert.deepEqual(line.querystring, { _sort: 'n' });
  }
});

test('a batch reads its own writes around kept pages', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  for (let i = 0; i < 2; i++) expectStatus(await c.get(R), 200);
  const batch = expectStatus(
    await c.post('/v1/batch', {
      requests: [
        { method: 'GET', path: R.slice(3) },
        { method: 'PUT', path: `${R.slice(3)}/r9`, body: { data: { n: 9 } } },
        { method: 'GET', path: R.slice(3) },
      ],
    }),
    200,
  );
  assert.deepEqual(
    batch.responses.map((r: { status: number }) => r.status),
    [200, 201, 200],
  );
  assert.equal(batch.responses[0].body.data.length, 3);
  assert.equal(batch.responses[2].body.data.length, 4);
  assert.equal(expectStatus(await c.get(R), 200).data.length, 4);
});

/** A policy counting its calls: `Token <name>` identifies `<name>`, unless revoked. */
function countingPolicy(options: { headerOnly: boolean; reuseMs: number | undefined }) {
  const calls = { count: 0, revoked: new Set<string>() };
  const policy: AuthenticationPolicy = {
    headerOnly: options.headerOnly,
    async authenticate(request) {
      calls.count++;
      const match = /^Token (\w+)$/.exec(request.headers.authorization ?? '');
      if (!match || calls.revoked.has(match[1]!)) return null;
      return { userId: match[1]!, reuseUntil: options.reuseMs === undefined ? undefined : Date.now() + options.reuseMs };
    },
    challenge: () => 'Token',
  };
  const plugin = (api: PluginApi) => api.addPolicy('counting', () => policy);
  return { calls, plugin };
}

async function countingServer(t: TestContext, options: { headerOnly: boolean; reuseMs: number | undefined }) {
  const { calls, plugin } = countingPolicy(options);
  const c = await kintoServer(t, { includes: 'counting-plugin', 'multiauth.policies': 'counting basicauth' }, { plugins: { 'counting-plugin': plugin } });
  return { c, calls, token: { auth: 'Token alice' } };
}

test('an identification is reused until the policy says, then asked again', async (t) => {
  const { c, calls, token } = await countingServer(t, { headerOnly: true, reuseMs: 300 });
  if (skipShared(t, c)) return;
  for (let i = 0; i < 3; i++) assert.equal(expectStatus(await c.get('/v1/', token), 200).user.id, 'counting:alice');
  assert.equal(calls.count, 1);
  await sleep(350);
  assert.equal(expectStatus(await c.get('/v1/', token), 200).user.id, 'counting:alice');
  assert.equal(calls.count, 2);
  // Basic credentials go through the chain (the counting policy first) once, then are reused too.
  for (let i = 0; i < 2; i++) assert.equal(expectStatus(await c.get('/v1/', { auth: A }), 200).user.id, A_ID);
  assert.equal(calls.count, 3);
});

test('a deletion in the cache revokes every reused identification', async (t) => {
  const { c, calls, token } = await countingServer(t, { headerOnly: true, reuseMs: 60_000 });
  if (skipShared(t, c)) return;
  for (let i = 0; i < 2; i++) expectStatus(await c.get('/v1/', token), 200);
  assert.equal(calls.count, 1);
  // A cache `pop` (pagination tokens, login states) revokes nothing.
  await c.kinto.registry.cache.pop('unrelated');
  expectStatus(await c.get('/v1/', token), 200);
  assert.equal(calls.count, 1);
  await c.kinto.registry.cache.namespace('any').delete('entry');
  expectStatus(await c.get('/v1/', token), 200);
  assert.equal(calls.count, 2);
  await c.kinto.registry.cache.flush();
  expectStatus(await c.get('/v1/', token), 200);
  assert.equal(calls.count, 3);
});

test('a kept page is served only while its reader is still identified', async (t) => {
  const { c, calls, token } = await countingServer(t, { headerOnly: true, reuseMs: 60_000 });
  if (skipShared(t, c)) return;
  await setup(c);
  expectStatus(await c.patch('/v1/buckets/b1/collections/c1', { permissions: { read: ['counting:alice'] } }), 200);
  const routed = countRouted(c.kinto);
  const before = calls.count;
  for (let i = 0; i < 3; i++) assert.equal(expectStatus(await c.get(R, token), 200).data.length, 3);
  assert.equal(routed.count, 1);
  assert.equal(calls.count, before + 1, 'identified once, then reused');
  // Revoked upstream: the identification holds until the policy's reuseUntil or a revocation in the cache.
  calls.revoked.add('alice');
  expectStatus(await c.get(R, token), 200);
  await c.kinto.registry.cache.delete('revoked-token-entry');
  expectStatus(await c.get(R, token), 401, 104);
  assert.equal(calls.count, before + 2);
});

test('answers are not reused from a policy that reads more than the header, nor without reuseUntil', async (t) => {
  for (const options of [
    { headerOnly: false, reuseMs: 60_000 },
    { headerOnly: true, reuseMs: undefined },
  ]) {
    const { c, calls, token } = await countingServer(t, options);
    for (let i = 0; i < 3; i++) expectStatus(await c.get('/v1/', token), 200);
    assert.equal(calls.count, 3, JSON.stringify(options));
    // Nor are pages kept for such identities: each read is routed.
    await setup(c);
    expectStatus(await c.patch('/v1/buckets/b1/collections/c1', { permissions: { read: ['counting:alice'] } }), 200);
    const routed = countRouted(c.kinto);
    for (let i = 0; i < 2; i++) expectStatus(await c.get(R, token), 200);
    assert.equal(routed.count, 2, JSON.stringify(options));
  }
});

test('reused identities are never shared between users, nor with anonymous requests', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  for (let round = 0; round < 2; round++) {
    assert.equal(expectStatus(await c.get('/v1/', { auth: A }), 200).user.id, A_ID);
    assert.equal(expectStatus(await c.get('/v1/', { auth: B }), 200).user.id, B_ID);
    assert.equal(expectStatus(await c.get('/v1/', { auth: null }), 200).user, undefined);
    expectStatus(await c.get(R, { auth: B }), 403, 121);
    expectStatus(await c.get(R, { auth: null }), 401, 104);
    assert.equal(expectStatus(await c.get(R, { auth: A }), 200).data.length, 3);
  }
});
