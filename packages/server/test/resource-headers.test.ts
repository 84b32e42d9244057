// Response headers of resources: cache headers (kinto-api.md §2.4, items 176–177),
// CORS exposed headers (§2.7), HEAD on objects (§1.3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectStatus, kintoServer } from './resource-helpers.js';

const R = '/v1/buckets/b1/collections/c1/records';

test('anonymous reads of public records are cacheable (items 176–177)', async (t) => {
  const c = await kintoServer(t, { record_cache_expires_seconds: 3600, bucket_cache_expires_seconds: 60 });
  await c.put('/v1/buckets/b1', { permissions: { read: ['system.Everyone'] } });
  await c.put('/v1/buckets/b1/collections/c1');
  await c.put('/v1/buckets/b1/collections/c2', { data: { cache_expires: 0 } });
  let reply = await c.get(R, { auth: null });
  assert.equal(reply.headers['cache-control'], 'max-age=3600');
  assert.ok(reply.headers.expires);
  reply = await c.get(R);
  assert.equal(reply.headers['cache-control'], 'no-cache, no-store');
  assert.equal(reply.headers.expires, undefined);
  assert.equal((await c.get('/v1/buckets/b1', { auth: null })).headers['cache-control'], 'max-age=60');
  assert.equal((await c.get('/v1/buckets/b1/collections/c1', { auth: null })).headers['cache-control'], 'no-cache, no-store');
  // The collection's `cache_expires` counts as max(setting, cache_expires) (§2.4).
  assert.equal((await c.get('/v1/buckets/b1/collections/c2/records', { auth: null })).headers['cache-control'], 'max-age=3600');
  const plain = await kintoServer(t);
  await plain.put('/v1/buckets/b1', { permissions: { read: ['system.Everyone'] } });
  await plain.put('/v1/buckets/b1/collections/c2', { data: { cache_expires: 0 } });
  reply = await plain.get('/v1/buckets/b1/collections/c2/records', { auth: null });
  assert.equal(reply.headers['cache-control'], 'max-age=0, must-revalidate, no-cache, no-store');
  assert.equal(reply.headers.pragma, 'no-cache');
  assert.ok(reply.headers.expires);

  const perCollection = await kintoServer(t, { 'b1.c1.record_cache_expires_seconds': 10, b1_record_cache_expires_seconds: 20 });
  await perCollection.put('/v1/buckets/b1', { permissions: { read: ['system.Everyone'] } });
  await perCollection.put('/v1/buckets/b1/collections/c1');
  await perCollection.put('/v1/buckets/b1/collections/c3', { data: { cache_expires: 30 } });
  assert.equal((await perCollection.get(R, { auth: null })).headers['cache-control'], 'max-age=10');
  assert.equal((await perCollection.get('/v1/buckets/b1/collections/c3/records', { auth: null })).headers['cache-control'], 'max-age=30');
});

test('CORS exposes the list and object headers; HEAD on an object is GET without body', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  await c.put(`${R}/r1`, { data: { x: 1 } });
  const origin = { origin: 'http://example.org' };
  let reply = await c.get(R, { headers: origin });
  assert.equal(reply.headers['access-control-allow-origin'], '*');
  assert.equal(
    reply.headers['access-control-expose-headers'],
    'Backoff, Retry-After, Alert, Content-Length, Content-Type, Next-Page, Last-Modified, ETag, Cache-Control, Expires, Pragma',
  );
  reply = await c.request('HEAD', R, { headers: origin });
  assert.match(String(reply.headers['access-control-expose-headers']), /Total-Objects, Total-Records$/);
  reply = await c.get(`${R}/r1`, { headers: origin });
  assert.match(String(reply.headers['access-control-expose-headers']), /Content-Type, Last-Modified, ETag, Cache-Control, Expires, Pragma$/);
  const get = await c.get(`${R}/r1`);
  const head = await c.request('HEAD', `${R}/r1`);
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.etag, get.headers.etag);
  assert.equal(head.headers['content-length'], get.headers['content-length']);
  const preflight = await c.request('OPTIONS', `${R}/r1`, { auth: null, headers: { ...origin, 'access-control-request-method': 'PATCH' } });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.headers['access-control-allow-methods'], 'GET,HEAD,PUT,PATCH,DELETE');
  expectStatus(await c.request('PATCH', '/v1/buckets'), 405, 115);
  assert.equal((await c.request('PATCH', '/v1/buckets')).headers.allow, 'HEAD, GET, POST, DELETE, OPTIONS');
});
