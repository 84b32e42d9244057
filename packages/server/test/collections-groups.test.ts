// Collections and groups: kinto-api.md §15 items 51–65, and group principals in hello (item 15).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, A_ID, B, B_ID, C, expectStatus, kintoServer } from './resource-helpers.js';

test('collections (items 51–56)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  expectStatus(await c.put('/v1/buckets/b1/collections/c1'), 201);
  expectStatus(await c.get('/v1/buckets/unknown/collections'), 403, 121);
  expectStatus(await c.get('/v1/buckets/unknown/collections', { auth: null }), 401, 104);
  const missing = expectStatus(await c.get('/v1/buckets/b1/collections/unknown'), 404, 110);
  assert.deepEqual(missing.details, { id: 'unknown', resource_name: 'collection' });
  const posted = expectStatus(await c.post('/v1/buckets/b1/collections', {}), 201);
  assert.match(posted.data.id, /^[a-zA-Z0-9][a-zA-Z0-9_-]{7}$/);
  expectStatus(await c.put('/v1/buckets/b1/collections/c1', { permissions: { 'collection:create': [B_ID] } }), 400, 107);
  const badExpires = expectStatus(await c.put('/v1/buckets/b1/collections/c1', { data: { cache_expires: 'x' } }), 400, 107);
  assert.equal(badExpires.details[0].name, 'data.cache_expires');
  expectStatus(await c.put('/v1/buckets/b1/collections/c1', { data: { cache_expires: 10 } }), 200);
  expectStatus(await c.put('/v1/buckets/b1/collections/c1', { permissions: { 'record:create': [B_ID] } }), 200);
});

test('collections under a missing bucket, when settings allow the request', async (t) => {
  const c = await kintoServer(t, { bucket_write_principals: 'system.Authenticated', collection_create_principals: 'system.Authenticated' });
  const body = expectStatus(await c.put('/v1/buckets/ghost/collections/c1'), 404, 111);
  assert.deepEqual(body.details, { id: 'ghost', resource_name: 'bucket' });
  expectStatus(await c.get('/v1/buckets/gh*st/collections', { auth: A }), 404, 111);
});

test('groups (items 57–60)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  let body = expectStatus(await c.request('PUT', '/v1/buckets/b1/groups/g1'), 201);
  assert.equal('members' in body.data, false);
  body = expectStatus(await c.put('/v1/buckets/b1/groups/g1', { data: { alias: 'x' } }), 200);
  assert.deepEqual(body.data.members, []);
  body = expectStatus(await c.put('/v1/buckets/b1/groups/g1', { data: { members: ['system.Everyone'] } }), 400, 107);
  assert.ok(body.message.includes("'system.Everyone' is not a valid user ID."));
  expectStatus(await c.put('/v1/buckets/b1/groups/g1', { data: { members: ['/buckets/b1/groups/other'] } }), 400, 107);
  expectStatus(await c.put('/v1/buckets/b1/groups/g1', { data: { members: 'x' } }), 400, 107);
  expectStatus(await c.put('/v1/buckets/b1/groups/g1', { data: { members: [1] } }), 400, 107);
  // Nothing was half-applied by the refused writes.
  body = expectStatus(await c.get('/v1/buckets/b1/groups/g1'), 200);
  assert.deepEqual(body.data.members, []);
});

test('group principals: membership, system.Authenticated, deletion (items 15, 61, 62)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b');
  await c.put('/v1/buckets/b/groups/g', { data: { members: [A_ID] } });
  let hello = expectStatus(await c.get('/v1/'), 200);
  assert.equal(hello.user.principals[0], A_ID);
  for (const p of [A_ID, 'system.Everyone', 'system.Authenticated', '/buckets/b/groups/g']) assert.ok(hello.user.principals.includes(p), p);

  await c.put('/v1/buckets/b/groups/everybody', { data: { members: ['system.Authenticated'] } });
  hello = expectStatus(await c.get('/v1/', { auth: C }), 200);
  assert.ok(hello.user.principals.includes('/buckets/b/groups/everybody'));
  assert.ok(!hello.user.principals.includes('/buckets/b/groups/g'));

  // Members removed by PATCH lose the principal; added ones gain it.
  await c.patch('/v1/buckets/b/groups/g', { data: { members: [B_ID] } });
  hello = expectStatus(await c.get('/v1/'), 200);
  assert.ok(!hello.user.principals.includes('/buckets/b/groups/g'));
  hello = expectStatus(await c.get('/v1/', { auth: B }), 200);
  assert.ok(hello.user.principals.includes('/buckets/b/groups/g'));

  await c.delete('/v1/buckets/b/groups/g');
  hello = expectStatus(await c.get('/v1/', { auth: B }), 200);
  assert.ok(!hello.user.principals.includes('/buckets/b/groups/g'));
});

test('create permissions and bucket reads (items 63–65)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1', { permissions: { 'collection:create': [B_ID] } });
  await c.put('/v1/buckets/b1/collections/private');
  await c.put('/v1/buckets/b1/collections/open', { permissions: { read: [B_ID] } });
  const bucket = expectStatus(await c.get('/v1/buckets/b1', { auth: B }), 200);
  assert.equal(bucket.data.id, 'b1');
  let list = expectStatus(await c.get('/v1/buckets/b1/collections', { auth: B }), 200);
  assert.deepEqual(list.data.map((x: { id: string }) => x.id), ['open']);
  expectStatus(await c.put('/v1/buckets/b1/collections/hers', undefined, { auth: B }), 201);
  list = expectStatus(await c.get('/v1/buckets/b1/collections', { auth: B }), 200);
  assert.deepEqual(list.data.map((x: { id: string }) => x.id).sort(), ['hers', 'open']);
  expectStatus(await c.get('/v1/buckets/b1/collections', { auth: C }), 403, 121);
  expectStatus(await c.get('/v1/buckets/b1', { auth: C }), 403, 121);
});
