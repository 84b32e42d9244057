// kinto.plugins.default_bucket and kinto.plugins.flush: kinto-api.md §15 items 192–200, §B1, §B2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceChangedEvent } from '@kinto-ts/core';
import { defaultBucketId } from '../src/index.js';
import { A, A_ID, B, expectStatus, kintoServer } from './resource-helpers.js';

const A_BUCKET = 'ddaf8694-fa9e-2949-ed0e-77198a7907fb';

test('the default bucket id test vector', () => {
  assert.equal(defaultBucketId('', A_ID), A_BUCKET);
  assert.notEqual(defaultBucketId('secret', A_ID), A_BUCKET);
});

test('default bucket: implicit creations and aliasing (items 192–197, 199)', async (t) => {
  const c = await kintoServer(t, { includes: 'kinto.plugins.default_bucket' });
  const events: string[] = [];
  c.kinto.registry.events.on('ResourceChanged', (e: ResourceChangedEvent) => void events.push(`${e.payload.resource_name}:${e.payload.action}`));
  let body = expectStatus(await c.get('/v1/buckets/default'), 200);
  assert.equal(body.data.id, A_BUCKET);
  assert.deepEqual(body.permissions.write, [A_ID]);
  assert.deepEqual(events, ['bucket:create']);
  body = expectStatus(await c.get('/v1/buckets/default', { auth: null }), 401, 104);
  assert.equal(body.message, 'Please authenticate yourself to use this endpoint.');
  expectStatus(await c.get('/v1/buckets/default/collections/tasks'), 200);
  assert.deepEqual(events, ['bucket:create', 'collection:create']);
  expectStatus(await c.get('/v1/buckets/default/collections/tasks'), 200);
  assert.deepEqual(events, ['bucket:create', 'collection:create']);
  expectStatus(await c.get('/v1/buckets/default/collections/__files__/records'), 400, 107);
  expectStatus(await c.get('/v1/buckets/default/collections//records'), 404, 111);
  expectStatus(await c.post('/v1/buckets/default/collections/tasks', {}), 405, 115);

  const created = expectStatus(await c.post('/v1/buckets/default/collections/tasks/records', { data: { title: 'mine' } }), 201);
  const list = expectStatus(await c.get(`/v1/buckets/${A_BUCKET}/collections/tasks/records`), 200);
  assert.deepEqual(list.data.map((r: { id: string }) => r.id), [created.data.id]);
  const theirs = expectStatus(await c.get('/v1/buckets/default/collections/tasks/records', { auth: B }), 200);
  assert.deepEqual(theirs.data, []);
  expectStatus(await c.get(`/v1/buckets/${A_BUCKET}`, { auth: B }), 403, 121);

  const hello = expectStatus(await c.get('/v1/'), 200);
  assert.equal(hello.user.bucket, A_BUCKET);
  assert.ok(hello.capabilities.default_bucket);
  // `data.id = "default"` in a body is the real id; PUT on the collection itself creates it once.
  body = expectStatus(await c.put('/v1/buckets/default', { data: { id: 'default', x: 1 } }), 200);
  assert.equal(body.data.x, 1);
  expectStatus(await c.put('/v1/buckets/default/collections/fresh', { data: { y: 1 } }), 201);
  const redirect = await c.get('/v1/buckets/default/collections/');
  assert.equal(redirect.status, 307);
  assert.match(String(redirect.headers.location), /\/v1\/buckets\/default\/collections$/);
  // Paging links point at the real bucket.
  await c.post('/v1/buckets/default/collections/tasks/records', { data: {} });
  const page = await c.get('/v1/buckets/default/collections/tasks/records?_limit=1');
  assert.match(String(page.headers['next-page']), new RegExp(`/v1/buckets/${A_BUCKET}/collections/tasks/records\\?`));
  // Deleting the bucket: it comes back empty on the next request.
  expectStatus(await c.delete('/v1/buckets/default'), 200);
  assert.deepEqual(expectStatus(await c.get('/v1/buckets/default/collections'), 200).data, []);
});

test('default bucket: preflight, readonly and plugin absence (item 198)', async (t) => {
  const c = await kintoServer(t, { includes: 'default_bucket' });
  const preflight = await c.request('OPTIONS', '/v1/buckets/default/collections/x/records', {
    auth: null,
    headers: { origin: 'http://x', 'access-control-request-method': 'POST' },
  });
  assert.equal(preflight.status, 200);
  const readonly = await kintoServer(t, { includes: 'kinto.plugins.default_bucket', readonly: true });
  expectStatus(await readonly.get('/v1/buckets/default'), 405, 115);
  const plain = await kintoServer(t);
  expectStatus(await plain.get('/v1/buckets/default'), 403, 121);
});

test('flush empties every backend (item 200)', async (t) => {
  const c = await kintoServer(t, { includes: 'kinto.plugins.flush', bucket_read_principals: 'system.Authenticated' });
  const flushed: string[] = [];
  c.kinto.registry.events.on('ServerFlushed', () => void flushed.push('flushed'));
  await c.put('/v1/buckets/b1', { permissions: { read: ['system.Everyone'] } });
  await c.put('/v1/buckets/b1/collections/c1');
  await c.put('/v1/buckets/b1/collections/c1/records/r1', { permissions: { read: ['system.Everyone'] } });
  expectStatus(await c.get('/v1/buckets/b1/collections/c1/records/r1', { auth: B }), 200);
  const reply = await c.post('/v1/__flush__', undefined, { auth: null });
  assert.deepEqual(expectStatus(reply, 202), {});
  assert.deepEqual(flushed, ['flushed']);
  expectStatus(await c.get('/v1/buckets/b1/collections/c1/records/r1', { auth: B }), 403, 121);
  assert.deepEqual(expectStatus(await c.get('/v1/buckets'), 200).data, []);
  const plain = await kintoServer(t);
  expectStatus(await plain.post('/v1/__flush__', undefined), 404, 111);
});

test('default bucket in A`s own requests does not leak A`s data to B', async (t) => {
  const c = await kintoServer(t, { includes: 'kinto.plugins.default_bucket' });
  await c.put('/v1/buckets/default/collections/notes/records/n1', { data: { secret: true } }, { auth: A });
  expectStatus(await c.get('/v1/buckets/default/collections/notes/records/n1', { auth: B }), 404, 110);
});
