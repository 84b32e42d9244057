// Kept list pages (packages/core/src/resource/page-cache.ts): on the memory storage a
// repeated list read is answered from its kept JSON while nothing was written. Every
// way the answer can change between two reads must show in the second one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basicAuth } from '@kinto-ts/core/testing';
import { A, ACCOUNTS, B, B_ID, etag, expectStatus, kintoServer, type Client } from './resource-helpers.js';

const R = '/v1/buckets/b1/collections/c1/records';

async function setup(c: Client): Promise<void> {
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  for (let i = 0; i < 3; i++) expectStatus(await c.put(`${R}/r${i}`, { data: { n: i } }), 201);
}

function ids(body: { data: Array<{ id: string }> }): string[] {
  return body.data.map((o) => o.id).sort();
}

test('a repeated read answers the same bytes and headers', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  const first = await c.get(`${R}?_sort=n`);
  const second = await c.get(`${R}?_sort=n`);
  assert.equal(second.status, 200);
  assert.equal(second.text, first.text);
  assert.equal(second.headers.etag, first.headers.etag);
  assert.equal(second.headers['last-modified'], first.headers['last-modified']);
  assert.equal(second.headers['content-type'], 'application/json');
  assert.equal(Number(second.headers['content-length']), Buffer.byteLength(second.text));
  // Another query is another page.
  const other = expectStatus(await c.get(`${R}?_sort=-n`), 200);
  assert.deepEqual(
    other.data.map((o: { n: number }) => o.n),
    [2, 1, 0],
  );
  // Conditional reads still see the live timestamp.
  expectStatus(await c.get(R, { headers: { 'if-none-match': String(first.headers.etag) } }), 304);
  expectStatus(await c.get(R, { headers: { 'if-match': '"1"' } }), 412, 114);
});

test('every write shows in the next read', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  assert.deepEqual(ids(expectStatus(await c.get(R), 200)), ['r0', 'r1', 'r2']);

  await c.put(`${R}/r3`, { data: { n: 3 } });
  assert.deepEqual(ids(expectStatus(await c.get(R), 200)), ['r0', 'r1', 'r2', 'r3']);

  await c.patch(`${R}/r0`, { data: { n: 10 } });
  let body = expectStatus(await c.get(R), 200);
  assert.equal(body.data.find((o: { id: string }) => o.id === 'r0').n, 10);

  const before = etag(await c.get(R));
  await c.delete(`${R}/r1`);
  const after = await c.get(R);
  assert.deepEqual(ids(after.body), ['r0', 'r2', 'r3']);
  assert.ok(etag(after) > before);
  // The tombstone appears in `_since` reads, then disappears once purged.
  body = expectStatus(await c.get(`${R}?_since=${before}`), 200);
  assert.deepEqual(
    body.data.filter((o: { deleted?: boolean }) => o.deleted).map((o: { id: string }) => o.id),
    ['r1'],
  );
  await c.kinto.registry.storage.purgeDeleted('record', '/buckets/b1/collections/c1');
  body = expectStatus(await c.get(`${R}?_since=${before}`), 200);
  assert.deepEqual(body.data, []);

  // A collection deleted and created again under the same name starts empty.
  expectStatus(await c.get(R), 200);
  await c.delete('/v1/buckets/b1/collections/c1');
  await c.put('/v1/buckets/b1/collections/c1');
  assert.deepEqual(expectStatus(await c.get(R), 200).data, []);

  // Deleting the list.
  await c.put(`${R}/x`, { data: {} });
  expectStatus(await c.get(R), 200);
  await c.delete(R);
  assert.deepEqual(expectStatus(await c.get(R), 200).data, []);
});

test('each reader gets the page of what they may read', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  // B may read only r1; A (the owner) reads all.
  await c.patch(`${R}/r1`, { permissions: { read: [B_ID] } });
  assert.deepEqual(ids(expectStatus(await c.get(R, { auth: A }), 200)), ['r0', 'r1', 'r2']);
  assert.deepEqual(ids(expectStatus(await c.get(R, { auth: B }), 200)), ['r1']);
  assert.deepEqual(ids(expectStatus(await c.get(R, { auth: A }), 200)), ['r0', 'r1', 'r2']);
  // Sharing another record widens B's page.
  await c.patch(`${R}/r2`, { permissions: { read: [B_ID] } });
  assert.deepEqual(ids(expectStatus(await c.get(R, { auth: B }), 200)), ['r1', 'r2']);
  // Read on the whole collection: the whole page.
  await c.patch('/v1/buckets/b1/collections/c1', { permissions: { read: [B_ID] } });
  assert.deepEqual(ids(expectStatus(await c.get(R, { auth: B }), 200)), ['r0', 'r1', 'r2']);
  // And taken back.
  await c.patch('/v1/buckets/b1/collections/c1', { permissions: { read: [] } });
  assert.deepEqual(ids(expectStatus(await c.get(R, { auth: B }), 200)), ['r1', 'r2']);
  expectStatus(await c.get(R, { auth: null }), 401, 104);
});

test('paginated pages are not kept: each token works once, every page is complete', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  const seen: string[] = [];
  for (let round = 0; round < 2; round++) {
    let url: string | undefined = `${R}?_limit=2&_sort=n`;
    const got: string[] = [];
    while (url) {
      const reply = await c.get(url.replace(/^https?:\/\/[^/]+/, ''));
      const body = expectStatus(reply, 200);
      got.push(...body.data.map((o: { id: string }) => o.id));
      url = reply.headers['next-page'] as string | undefined;
    }
    assert.deepEqual(got, ['r0', 'r1', 'r2']);
    seen.push(got.join());
  }
  assert.equal(seen[0], seen[1]);
});

test('a query with a secret-named parameter is never kept under its clear-text key', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  const listAll = c.kinto.registry.storage.listAll.bind(c.kinto.registry.storage);
  let listings = 0;
  c.kinto.registry.storage.listAll = (...args: Parameters<typeof listAll>) => {
    listings++;
    return listAll(...args);
  };
  for (let i = 0; i < 2; i++) expectStatus(await c.get(`${R}?access_token=SECRET-VALUE`), 200);
  assert.equal(listings, 2, 'listed every time');
  for (let i = 0; i < 2; i++) expectStatus(await c.get(`${R}?_sort=n`), 200);
  // Backends other processes write to (the suites' PostgreSQL variant) keep nothing.
  const kept = c.kinto.registry.storage.generation !== undefined;
  assert.equal(listings, kept ? 3 : 4, kept ? 'a plain query is listed once, then kept' : 'listed every time');
});

test('the `_to` deprecation alert is sent with a kept page too', async (t) => {
  const c = await kintoServer(t);
  await setup(c);
  const to = etag(await c.get(R)) + 1;
  for (let i = 0; i < 2; i++) {
    const reply = await c.get(`${R}?_to=${to}`);
    expectStatus(reply, 200);
    assert.equal(JSON.parse(String(reply.headers.alert)).code, 'soft-eol');
  }
  const plain = await c.get(R);
  assert.equal(plain.headers.alert, undefined);
});

test('a list whose parent depends on the reader (accounts) is never served to another reader', async (t) => {
  const c = await kintoServer(t, { ...ACCOUNTS, account_write_principals: 'account:admin', account_read_principals: 'account:admin' });
  for (const id of ['alice', 'bob', 'admin']) expectStatus(await c.post('/v1/accounts', { data: { id, password: 'secret' } }, { auth: null }), 201);
  const as = (id: string) => ({ auth: basicAuth(id, 'secret') });
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(ids(expectStatus(await c.get('/v1/accounts', as('alice')), 200)), ['alice']);
    assert.deepEqual(ids(expectStatus(await c.get('/v1/accounts', as('bob')), 200)), ['bob']);
    assert.deepEqual(ids(expectStatus(await c.get('/v1/accounts', as('admin')), 200)), ['admin', 'alice', 'bob']);
  }
});

test('readers allowed the whole list still get the list of their own parent (accounts)', async (t) => {
  // Everyone may read the accounts list, but a non-administrator's list is their own account.
  const c = await kintoServer(t, { ...ACCOUNTS, account_read_principals: 'system.Authenticated' });
  for (const id of ['alice', 'bob']) expectStatus(await c.post('/v1/accounts', { data: { id, password: 'secret' } }, { auth: null }), 201);
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(ids(expectStatus(await c.get('/v1/accounts', { auth: basicAuth('alice', 'secret') }), 200)), ['alice']);
    assert.deepEqual(ids(expectStatus(await c.get('/v1/accounts', { auth: basicAuth('bob', 'secret') }), 200)), ['bob']);
  }
});
