// Timestamps and preconditions: kinto-api.md §15 items 97–113, and §5.1 under concurrency.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etag, expectStatus, kintoServer } from './resource-helpers.js';

const R = '/v1/buckets/b1/collections/c1/records';

test('ETags and 304 (items 97–103)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  const created = await c.put(`${R}/r1`, { data: {} });
  const r1 = await c.get(`${R}/r1`);
  assert.equal(r1.headers.etag, `"${r1.body.data.last_modified}"`);
  assert.equal(r1.headers['last-modified'], new Date(Math.floor(r1.body.data.last_modified / 1000) * 1000).toUTCString());
  assert.equal(etag(created), r1.body.data.last_modified);
  await c.put(`${R}/r2`, { data: {} });
  await c.delete(`${R}/r2`);
  const list = await c.get(`${R}?_since=0`);
  const max = Math.max(...list.body.data.map((o: { last_modified: number }) => o.last_modified));
  assert.equal(etag(list), max);
  assert.equal(etag(await c.get(R)), etag(await c.get(R)));

  const notModified = await c.get(R, { headers: { 'if-none-match': `"${max}"` } });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.text, '');
  assert.equal(notModified.headers.etag, `"${max}"`);
  assert.ok(notModified.headers['last-modified']);
  assert.equal(notModified.headers['content-type'], undefined);
  assert.equal(notModified.headers['cache-control'], undefined);
  assert.equal((await c.get(`${R}/r1`, { headers: { 'if-none-match': r1.headers.etag as string } })).status, 304);
  assert.equal((await c.get(`${R}/r1`, { headers: { 'if-none-match': '"1"' } })).status, 200);
  expectStatus(await c.get(R, { headers: { 'if-none-match': '*' } }), 412, 114);
  expectStatus(await c.get(R, { headers: { 'if-match': '"1"' } }), 412, 114);
  expectStatus(await c.get(R, { headers: { 'if-match': '*' } }), 200);
});

test('412 answers (items 104–109)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  const first = await c.put(`${R}/r1`, { data: { title: 'x' } });
  let body = expectStatus(await c.put(`${R}/r1`, { data: {} }, { headers: { 'if-none-match': '*' } }), 412, 114);
  assert.equal(body.details.existing.title, 'x');
  assert.equal(body.details.existing.permissions, undefined);
  await c.delete(`${R}/r1`);
  expectStatus(await c.put(`${R}/r1`, { data: {} }, { headers: { 'if-none-match': '*' } }), 201);

  const current = await c.put(`${R}/r1`, { data: { v: 2 } });
  const stale = await c.put(`${R}/r1`, { data: {} }, { headers: { 'if-match': first.headers.etag as string } });
  body = expectStatus(stale, 412, 114);
  assert.equal(body.message, 'Resource was modified meanwhile');
  assert.equal(stale.headers.etag, current.headers.etag);

  body = expectStatus(await c.put(`${R}/missing`, { data: {} }, { headers: { 'if-match': '*' } }), 412, 114);
  assert.equal(body.details, undefined);
  expectStatus(await c.post(R, { data: {} }, { headers: { 'if-match': '"1"' } }), 412, 114);
  expectStatus(await c.delete(`${R}/r1`, { headers: { 'if-match': current.headers.etag as string } }), 200);

  for (const value of ['123', 'W/"123"', '"*"', '"abc"', '"1", "2"', '**', '*junk', `"${'9'.repeat(30)}"`]) {
    body = expectStatus(await c.get(R, { headers: { 'if-match': value } }), 400, 107);
    assert.ok(body.message.includes('The value should be integer between double quotes.'), value);
    assert.equal(body.details[0].name, 'If-Match');
  }
  expectStatus(await c.get(R, { headers: { 'if-none-match': '' } }), 200);
});

test('client timestamps (items 110–113)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  const listTs = etag(await c.get(R));
  const future = listTs + 100000;
  let body = expectStatus(await c.post(R, { data: { last_modified: future } }), 201);
  assert.equal(body.data.last_modified, future);
  assert.equal(etag(await c.get(R)), future);

  await c.put(`${R}/r1`, { data: {} });
  const own = (await c.get(`${R}/r1`)).body.data.last_modified;
  body = expectStatus(await c.put(`${R}/r1`, { data: { last_modified: own } }), 200);
  assert.ok(body.data.last_modified > own);

  const later = etag(await c.get(R)) + 5000;
  body = expectStatus(await c.delete(`${R}/r1?last_modified=${later}`), 200);
  assert.equal(body.data.last_modified, later);

  body = expectStatus(await c.post(R, { data: { last_modified: 'yesterday' } }), 201);
  assert.ok(Number.isInteger(body.data.last_modified));
  // A past value is kept on the object but does not move the list (§5.1).
  const before = etag(await c.get(R));
  body = expectStatus(await c.post(R, { data: { last_modified: 1000 } }), 201);
  assert.equal(body.data.last_modified, 1000);
  assert.equal(etag(await c.get(R)), before);
});

test('100 parallel POSTs get 100 distinct, strictly increasing timestamps (§5.1)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => c.post(R, { data: { i } })));
  const stamps = replies.map((r) => expectStatus(r, 201).data.last_modified as number);
  assert.equal(new Set(stamps).size, 100);
  const stored = (await c.get(R)).body.data as Array<{ last_modified: number }>;
  assert.equal(stored.length, 100);
  for (let i = 1; i < stored.length; i++) assert.ok(stored[i - 1]!.last_modified > stored[i]!.last_modified);
  assert.equal(etag(await c.get(R)), Math.max(...stamps));
});

test('racing writes on one object answer 2xx, 404 or 409, never 500', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  const puts = await Promise.all(Array.from({ length: 10 }, () => c.put(`${R}/same`, { data: { v: 1 } })));
  const putStatuses = puts.map((r) => r.status);
  assert.equal(putStatuses.filter((s) => s === 201).length, 1);
  for (const s of putStatuses) assert.ok([200, 201, 409].includes(s), String(s));
  const conflict = puts.find((r) => r.status === 409);
  if (conflict) assert.equal(conflict.headers['retry-after'], '3');
  const deletes = await Promise.all(Array.from({ length: 10 }, () => c.delete(`${R}/same`)));
  const deleteStatuses = deletes.map((r) => r.status);
  assert.equal(deleteStatuses.filter((s) => s === 200).length, 1);
  // PostgreSQL may refuse a conflicting concurrent write with 409 (kinto-api.md §5.1).
  for (const s of deleteStatuses) assert.ok([200, 404, 409].includes(s), String(s));
  const lists = await Promise.all(Array.from({ length: 5 }, () => c.delete(R)));
  for (const r of lists) assert.ok([200, 409].includes(r.status), String(r.status));
});
