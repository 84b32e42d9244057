// Buckets and request bodies: kinto-api.md §15 items 25–50.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, A_ID, B, B_ID, expectStatus, kintoServer } from './resource-helpers.js';

test('content negotiation and bodies (items 25–31)', async (t) => {
  const c = await kintoServer(t);
  let r = await c.request('PUT', '/v1/buckets/b1', { raw: 'x', headers: { 'content-type': 'text/plain' } });
  const body = expectStatus(r, 415, 107);
  assert.match(body.message, /^Content-Type header should be one of/);
  r = await c.post('/v1/buckets', {}, { headers: { accept: 'text/plain' } });
  assert.equal(expectStatus(r, 406, 107).message, "Accept header should be one of ['application/json']");
  r = await c.request('PUT', '/v1/buckets/b1');
  expectStatus(r, 201);
  r = await c.request('POST', '/v1/buckets', { raw: "{'foo>}", headers: { 'content-type': 'application/json' } });
  assert.match(expectStatus(r, 400, 107).message, /^Invalid JSON/);
  r = await c.post('/v1/buckets', { data: {}, datta: {} });
  assert.match(expectStatus(r, 400, 107).message, /datta/);
  r = await c.post('/v1/buckets', { data: '' });
  const dataError = expectStatus(r, 400, 107);
  assert.match(dataError.message, /data/);
  assert.equal(dataError.details[0].name, 'data');
  r = await c.request('PATCH', '/v1/buckets/b1', { raw: '{}', headers: { 'content-type': 'text/plain' } });
  const patchTypes = expectStatus(r, 415, 107).message;
  for (const type of ['application/json', 'application/merge-patch+json', 'application/json-patch+json']) assert.ok(patchTypes.includes(type));
});

test('creating, reading and replacing buckets (items 32–38)', async (t) => {
  const c = await kintoServer(t);
  let r = await c.request('PUT', '/v1/buckets/b1');
  let body = expectStatus(r, 201);
  assert.equal(body.data.id, 'b1');
  assert.ok(Number.isInteger(body.data.last_modified));
  assert.deepEqual(body.permissions, { write: [A_ID] });
  expectStatus(await c.request('PUT', '/v1/buckets/b1'), 200);
  r = await c.put('/v1/buckets/__b__');
  assert.equal(expectStatus(r, 400, 107).message, 'path: Invalid object id');
  r = await c.put('/v1/buckets/b1', { permissions: { 'record:create': ['fxa:u'] } });
  assert.match(expectStatus(r, 400, 107).message, /"record:create" is not one of read, write, collection:create, group:create/);
  r = await c.put('/v1/buckets/b1', { permissions: { 'collection:create': ['fxa:u'], 'group:create': ['fxa:u'] } });
  body = expectStatus(r, 200);
  assert.deepEqual(body.permissions['collection:create'], ['fxa:u']);
  assert.deepEqual(body.permissions['group:create'], ['fxa:u']);
  r = await c.post('/v1/buckets', { data: { id: 'blog' } });
  assert.equal(expectStatus(r, 201).data.id, 'blog');
  r = await c.post('/v1/buckets', { data: { id: 'blog', extra: true } });
  body = expectStatus(r, 200);
  assert.equal(body.data.extra, undefined);
  r = await c.post('/v1/buckets', {});
  body = expectStatus(r, 201);
  assert.match(body.data.id, /^[a-zA-Z0-9][a-zA-Z0-9_-]{7}$/);
});

test('bucket permissions (items 39–44)', async (t) => {
  const c = await kintoServer(t);
  let r = await c.put('/v1/buckets/b2', undefined, { auth: null });
  expectStatus(r, 401, 104);
  assert.deepEqual([r.headers['www-authenticate']].flat(), ['Basic realm="Realm"']);
  r = await c.get('/v1/buckets', { auth: B });
  assert.deepEqual(expectStatus(r, 200), { data: [] });
  expectStatus(await c.put('/v1/buckets/b1', { permissions: { read: [B_ID] } }), 201);
  expectStatus(await c.put('/v1/buckets/mine'), 201);
  r = await c.get('/v1/buckets', { auth: B });
  assert.deepEqual(expectStatus(r, 200).data.map((b: { id: string }) => b.id), ['b1']);
  r = await c.get('/v1/buckets/b1', { auth: B });
  assert.deepEqual(expectStatus(r, 200).permissions, {});
  r = await c.put('/v1/buckets/b1', {}, { auth: B });
  expectStatus(r, 403, 121);
  assert.equal(r.body.message, 'This user cannot access this resource.');
});

test('bucket_create_principals restricts who may list (item 41)', async (t) => {
  const c = await kintoServer(t, { bucket_create_principals: A_ID });
  expectStatus(await c.get('/v1/buckets', { auth: null }), 401, 104);
  expectStatus(await c.get('/v1/buckets', { auth: B }), 403, 121);
  expectStatus(await c.get('/v1/buckets', { auth: A }), 200);
  expectStatus(await c.put('/v1/buckets/nope', undefined, { auth: B }), 403, 121);
});

test('filters, deletions and recreation of buckets (items 45–50)', async (t) => {
  const c = await kintoServer(t, { bucket_read_principals: A_ID });
  await c.put('/v1/buckets/small', { data: { size: 1 } });
  await c.put('/v1/buckets/big', { data: { size: 3 } });
  await c.put('/v1/buckets/nosize');
  let r = await c.get('/v1/buckets?min_size=2');
  assert.deepEqual(expectStatus(r, 200).data.map((b: { id: string }) => b.id).sort(), ['big', 'nosize']);

  await c.put('/v1/buckets/theirs', undefined, { auth: B });
  await c.put('/v1/buckets/shared', { permissions: { write: [A_ID] } }, { auth: B });
  r = await c.delete('/v1/buckets');
  const deleted = expectStatus(r, 200).data;
  assert.deepEqual(deleted.map((b: { id: string }) => b.id).sort(), ['big', 'nosize', 'shared', 'small']);
  for (const tombstone of deleted) assert.equal(tombstone.deleted, true);
  expectStatus(await c.get('/v1/buckets/theirs', { auth: B }), 200);

  await c.put('/v1/buckets/b1');
  r = await c.delete('/v1/buckets/b1');
  const body = expectStatus(r, 200);
  assert.deepEqual(Object.keys(body).sort(), ['data']);
  assert.deepEqual(Object.keys(body.data).sort(), ['deleted', 'id', 'last_modified']);
  r = await c.get('/v1/buckets/b1');
  assert.equal(expectStatus(r, 404, 110).details.resource_name, 'bucket');
});

test('a deleted bucket takes its children with it (items 49, 50)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/a');
  await c.put('/v1/buckets/ab');
  for (const b of ['a', 'ab']) {
    await c.put(`/v1/buckets/${b}/collections/c1`);
    await c.put(`/v1/buckets/${b}/collections/c1/records/r1`, { data: { x: 1 } });
    await c.put(`/v1/buckets/${b}/groups/g1`, { data: { members: [B_ID] } });
  }
  await c.delete('/v1/buckets/a/collections/c1/records/r1');
  expectStatus(await c.delete('/v1/buckets/a'), 200);
  expectStatus(await c.put('/v1/buckets/a'), 201);
  expectStatus(await c.get('/v1/buckets/a/collections/c1'), 404, 110);
  assert.deepEqual(expectStatus(await c.get('/v1/buckets/a/collections?_since=0'), 200).data, []);
  expectStatus(await c.get('/v1/buckets/a/collections/c1/records'), 404, 111);
  expectStatus(await c.get('/v1/buckets/a/groups/g1'), 404, 110);
  // Bucket `ab` is untouched, and B lost only the group of `a`.
  expectStatus(await c.get('/v1/buckets/ab/collections/c1/records/r1'), 200);
  const hello = expectStatus(await c.get('/v1/', { auth: B }), 200);
  assert.ok(hello.user.principals.includes('/buckets/ab/groups/g1'));
  assert.ok(!hello.user.principals.includes('/buckets/a/groups/g1'));
  // The recreated bucket's ACL starts fresh.
  const acl = await c.kinto.registry.permission.getObjectPermissions('/buckets/a/collections/c1');
  assert.deepEqual(acl, {});
});
