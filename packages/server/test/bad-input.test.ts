// Hostile and malformed requests on resources: always a 4xx with errno and details,
// never a 500, never a half-applied write (kinto-api.md §2.1, §3, §11.4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, expectStatus, kintoServer } from './resource-helpers.js';

const R = '/v1/buckets/b1/collections/c1/records';

test('malformed bodies are refused with details and leave nothing behind', async (t) => {
  const c = await kintoServer(t, { max_request_body_bytes: 2048 });
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  const cases: Array<[string, string, string | undefined, number]> = [
    ['PUT', `${R}/r1`, '[1, 2]', 400],
    ['PUT', `${R}/r1`, '"text"', 400],
    ['PUT', `${R}/r1`, '{"data": []}', 400],
    ['PUT', `${R}/r1`, '{"data": null}', 400],
    ['PUT', `${R}/r1`, '{"permissions": null}', 400],
    ['PUT', `${R}/r1`, '{"permissions": {"frob": []}}', 400],
    ['PUT', `${R}/r1`, '{"permissions": {"read": "book"}}', 400],
    ['PUT', `${R}/r1`, '{"permissions": {"read": [1]}}', 400],
    ['PUT', `${R}/r1`, '{"data": {}, "extra": 1}', 400],
    ['PUT', `${R}/r%201`, '{"data": {}}', 400],
    ['POST', R, '{"data": {"id": 12}}', 400],
    ['POST', R, '{"data": {"id": "a b"}}', 400],
    ['PUT', `${R}/r1`, `{"data": {"x": "${'y'.repeat(4000)}"}}`, 413],
    ['PUT', `${R}/r1`, `${'['.repeat(2000)}${']'.repeat(2000)}`.slice(0, 2000), 400],
    ['PUT', `${R}/r1`, '{"data": {"n": 1e400}}', 400],
    ['PATCH', `${R}/r1`, '{"data": "x"}', 404],
  ];
  for (const [method, url, raw, status] of cases) {
    const reply = await c.request(method, url, { raw, headers: { 'content-type': 'application/json' } });
    const body = expectStatus(reply, status);
    assert.ok(Number.isInteger(body.errno), `${method} ${url} ${raw?.slice(0, 40)}`);
    if (status === 400) assert.ok(Array.isArray(body.details) && body.details.length > 0, `${raw?.slice(0, 40)}: ${reply.text}`);
  }
  const list = expectStatus(await c.get(`${R}?_since=0`), 200);
  assert.deepEqual(list.data, []);
  assert.deepEqual(await c.kinto.registry.permission.getObjectPermissions('/buckets/b1/collections/c1/records/r1'), {});
});

test('a refused PATCH changes neither data nor ACL', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/groups/g', { data: { members: ['x'] }, permissions: { read: ['y'] } });
  const before = expectStatus(await c.get('/v1/buckets/b1/groups/g'), 200);
  expectStatus(await c.patch('/v1/buckets/b1/groups/g', { data: { members: ['system.Everyone'] }, permissions: { read: ['z'] } }), 400, 107);
  expectStatus(await c.patch('/v1/buckets/b1/groups/g', { data: { members: ['ok'] }, permissions: { read: [3] } }), 400, 107);
  const after = expectStatus(await c.get('/v1/buckets/b1/groups/g'), 200);
  assert.deepEqual(after, before);
});

test('headers and paths that upstream answers with 500 are 4xx here (§11.4)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  for (const value of ['**', '*junk']) {
    expectStatus(await c.put('/v1/buckets/b1', {}, { headers: { 'if-match': value } }), 400, 107);
    expectStatus(await c.get('/v1/buckets/b1', { headers: { 'if-none-match': value } }), 400, 107);
  }
  expectStatus(await c.request('PUT', '/v1/buckets/b1', { raw: '{}', headers: { 'content-type': 'application/json; charset=latin-7' } }), 415, 107);
  expectStatus(await c.get('/v1/buckets/b1/collections?_limit=1000000000', { auth: A }), 200);
});
