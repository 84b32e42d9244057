// Records and PUT/PATCH semantics: kinto-api.md §15 items 66–80, 84–86, 92–96.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A_ID, B, B_ID, C, etag, expectStatus, kintoServer, type Client } from './resource-helpers.js';

const R = '/v1/buckets/b1/collections/c1/records';

async function setup(c: Client): Promise<void> {
  await c.put('/v1/buckets/b1', { permissions: { read: ['/buckets/b1/groups/readers'] } });
  await c.put('/v1/buckets/b1/collections/c1');
}

test('creating and reading records (items 66–75)', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  let body = expectStatus(await c.post(R, { data: { a: 1 } }), 201);
  assert.match(body.data.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  body = expectStatus(await c.post(R, { data: { id: 'a-simple-id', title: 'first' } }), 201);
  assert.equal(body.data.id, 'a-simple-id');
  body = expectStatus(await c.post(R, { data: { id: 'a-simple-id', extra: 1 } }), 200);
  assert.deepEqual(body.data.title, 'first');
  assert.equal(body.data.extra, undefined);
  expectStatus(await c.post(R, { data: { id: 'a-simple-id' } }, { auth: C }), 403, 121);
  expectStatus(await c.post(R, { data: { id: 'a-simple-id' } }, { auth: null }), 401, 104);

  body = expectStatus(await c.get('/v1/buckets/b1/collections/missing/records'), 404, 111);
  assert.equal(body.details.resource_name, 'collection');
  body = expectStatus(await c.get(`${R}/unknown`), 404, 110);
  assert.deepEqual(body.details, { id: 'unknown', resource_name: 'record' });
  expectStatus(await c.get(`${R}/a-simple-id`, { headers: { accept: '*/*' } }), 200);

  // Readable through a group principal (item 73).
  expectStatus(await c.get(`${R}/a-simple-id`, { auth: B }), 403, 121);
  await c.put('/v1/buckets/b1/groups/readers', { data: { members: [B_ID] } });
  expectStatus(await c.get(`${R}/a-simple-id`, { auth: B }), 200);

  const before = etag(await c.get(R));
  await c.post(R, { data: {} });
  assert.ok(etag(await c.get(R)) > before);

  body = expectStatus(await c.put(`${R}/r1`, { data: { id: 'other' } }), 400, 107);
  assert.equal(body.message, 'Object id does not match existing object');
  expectStatus(await c.post(R, { data: { id: 3.14 } }), 400, 107);
  expectStatus(await c.post(R, { data: { id: 'bad id' } }, { auth: null }), 400, 107);
});

test('writes under a missing collection are 404 for anyone (§7.6)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  for (const [method, url] of [
    ['POST', '/v1/buckets/b1/collections/nope/records'],
    ['PUT', '/v1/buckets/b1/collections/nope/records/r1'],
    ['PATCH', '/v1/buckets/b1/collections/nope/records/r1'],
    ['DELETE', '/v1/buckets/b1/collections/nope/records/r1'],
  ] as const) {
    const body = expectStatus(await c.request(method, url, { auth: null, body: { data: {} } }), 404, 111);
    assert.equal(body.details.resource_name, 'collection');
  }
  expectStatus(await c.request('DELETE', '/v1/buckets/b1/collections/nope/records', { auth: null }), 401, 104);
});

test('PUT replaces, PATCH merges (items 76–80, 84–86)', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  await c.put(`${R}/r1`, { data: { a: 1, keep: true }, permissions: { read: [B_ID] } });
  let body = expectStatus(await c.put(`${R}/r1`, { data: { b: 2 } }), 200);
  assert.deepEqual(Object.keys(body.data).sort(), ['b', 'id', 'last_modified']);
  body = expectStatus(await c.put(`${R}/r1`, { permissions: { read: ['fxa:x'] } }), 200);
  assert.equal(body.data.b, 2);
  body = expectStatus(await c.put(`${R}/r1`, { permissions: { write: ['x'] } }), 200);
  assert.equal(body.permissions.read, undefined);
  assert.deepEqual(body.permissions.write.sort(), [A_ID, 'x'].sort());

  await c.put(`${R}/r2`, { data: { a: 1, b: 1 } });
  body = expectStatus(await c.patch(`${R}/r2`, { data: { b: 2 } }), 200);
  assert.deepEqual([body.data.a, body.data.b], [1, 2]);
  body = expectStatus(await c.patch(`${R}/r2`, { data: { a: null } }), 200);
  assert.ok('a' in body.data);
  assert.equal(body.data.a, null);
  body = expectStatus(await c.patch(`${R}/r2`, { data: { n: { x: 1 } } }), 200);
  body = expectStatus(await c.patch(`${R}/r2`, { data: { n: { y: 2 } } }), 200);
  assert.deepEqual(body.data.n, { y: 2 });
  body = expectStatus(await c.patch(`${R}/r2`, { permissions: { read: ['fxa:user'] } }), 200);
  assert.deepEqual(body.permissions.read, ['fxa:user']);
  assert.deepEqual(body.permissions.write, [A_ID]);
  body = expectStatus(await c.patch(`${R}/r2`, { permissions: { write: [] } }), 200);
  assert.deepEqual(body.permissions.write, [A_ID]);
  body = expectStatus(await c.request('PATCH', `${R}/r2`), 400, 107);
  assert.equal(body.message, 'Provide at least one of data or permissions');
  expectStatus(await c.patch(`${R}/r2`, {}), 400, 107);
  expectStatus(await c.patch(`${R}/r2`, { data: { id: 'other' } }), 400, 107);
});

test('PATCH Response-Behavior, unknown objects, timestamps (items 92–96)', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  await c.put(`${R}/r1`, { data: { a: 1, b: 2, c: 3 } });
  let body = expectStatus(await c.patch(`${R}/r1`, { data: { a: 10, b: 2 } }, { headers: { 'response-behavior': 'light' } }), 200);
  assert.deepEqual(body, { data: { a: 10, b: 2 } });
  body = expectStatus(await c.patch(`${R}/r1`, { data: { a: 11, b: 'x' } }, { headers: { 'response-behavior': 'diff' } }), 200);
  assert.deepEqual(body, { data: {} });
  body = expectStatus(await c.patch(`${R}/r1`, { data: { a: 1 } }, { headers: { 'response-behavior': 'foo' } }), 400, 107);
  assert.equal(body.message, 'Response-Behavior in header: "foo" is not one of full, light, diff');
  expectStatus(await c.patch(`${R}/r1`, { data: { a: 1 } }, { headers: { 'response-behavior': 'LIGHT' } }), 400, 107);

  await c.put('/v1/buckets/b1/groups/readers', { data: { members: [B_ID] } });
  expectStatus(await c.patch(`${R}/unknown`, { data: {} }, { auth: B }), 404, 110);
  expectStatus(await c.patch(`${R}/unknown`, { data: {} }, { auth: C }), 403, 121);
  expectStatus(await c.delete('/v1/buckets/b1/groups/unknown', { auth: B }), 404, 110);
  expectStatus(await c.delete('/v1/buckets/b1/groups/unknown', { auth: C }), 403, 121);
  expectStatus(await c.delete('/v1/buckets/b1/groups/unknown', { auth: null }), 401, 104);

  const before = expectStatus(await c.get(`${R}/r1`), 200).data.last_modified;
  body = expectStatus(await c.patch(`${R}/r1`, { data: {} }), 200);
  assert.ok(body.data.last_modified > before);
});
