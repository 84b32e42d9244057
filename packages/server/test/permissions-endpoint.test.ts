// `GET /v1/permissions` and `DELETE /v1/__user_data__`: kinto-api.md §15 items 186–191, §10.6, §10.7.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, A_ID, B, B_ID, expectStatus, kintoServer, type Client } from './resource-helpers.js';

interface Entry {
  uri: string;
  resource_name: string;
  permissions: string[];
  [key: string]: unknown;
}

async function entries(c: Client, query = '', auth: string | null = A): Promise<Entry[]> {
  return expectStatus(await c.get(`/v1/permissions${query}`, { auth }), 200).data;
}

test('permissions endpoint lists objects, root and implied permissions (items 186–188)', async (t) => {
  const c = await kintoServer(t, { experimental_permissions_endpoint: true });
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  await c.put('/v1/buckets/b1/collections/c1/records/r1');
  const list = await entries(c);
  assert.deepEqual(list.map((e) => e.uri).sort(), ['/', '/buckets/b1', '/buckets/b1/collections/c1', '/buckets/b1/collections/c1/records/r1']);
  assert.deepEqual(list.find((e) => e.uri === '/'), { uri: '/', resource_name: 'root', permissions: ['bucket:create'] });
  const bucket = list.find((e) => e.uri === '/buckets/b1')!;
  assert.deepEqual(bucket, {
    uri: '/buckets/b1',
    resource_name: 'bucket',
    id: 'b1',
    bucket_id: 'b1',
    permissions: ['collection:create', 'group:create', 'read', 'read:attributes', 'write'],
  });
  const collection = list.find((e) => e.resource_name === 'collection')!;
  assert.deepEqual([collection.id, collection.bucket_id, collection.collection_id], ['c1', 'b1', 'c1']);
  assert.deepEqual(collection.permissions, ['read', 'read:attributes', 'record:create', 'write']);
  const hello = expectStatus(await c.get('/v1/'), 200);
  assert.ok(hello.capabilities.permissions_endpoint);
  // Anonymous requests may read it too (permissions_read_principals = system.Everyone).
  assert.deepEqual((await entries(c, '', null)).map((e) => e.uri), []);
});

test('permissions endpoint: filters, HEAD, pages, sorting (items 189–190)', async (t) => {
  const c = await kintoServer(t, { experimental_permissions_endpoint: true, collection_read_principals: B_ID });
  for (const b of ['b1', 'b2', 'b3']) {
    await c.put(`/v1/buckets/${b}`, { permissions: { read: [B_ID] } });
    await c.put(`/v1/buckets/${b}/collections/c1`);
    await c.put(`/v1/buckets/${b}/groups/g1`, { permissions: { write: [B_ID] } });
  }
  const filtered = await entries(c, '?in_resource_name=bucket,collection', B);
  assert.deepEqual(new Set(filtered.map((e) => e.resource_name)), new Set(['bucket', 'collection']));
  // Collections come from the collection_read_principals setting.
  assert.equal(filtered.filter((e) => e.resource_name === 'collection').length, 3);
  expectStatus(await c.get('/v1/permissions?movie=x', { auth: B }), 400, 107);
  expectStatus(await c.get('/v1/permissions?_sort=movie', { auth: B }), 400, 107);
  const all = await entries(c, '', B);
  const head = await c.request('HEAD', '/v1/permissions', { auth: B });
  assert.equal(head.headers['total-objects'], String(all.length));
  for (const sort of ['uri', '-uri', 'id', '-id']) {
    const seen: string[] = [];
    let url: string | undefined = `/v1/permissions?_limit=2&_sort=${sort}`;
    while (url) {
      const reply = await c.get(url, { auth: B });
      seen.push(...expectStatus(reply, 200).data.map((e: Entry) => e.uri));
      const next = reply.headers['next-page'];
      url = next ? new URL(String(next)).pathname + new URL(String(next)).search : undefined;
    }
    assert.deepEqual([...seen].sort(), all.map((e) => e.uri).sort(), sort);
  }
  assert.deepEqual(all.map((e) => e.uri), [...all.map((e) => e.uri)].sort().reverse());
  // kinto-ts: preconditions answer 412, never 500.
  expectStatus(await c.get('/v1/permissions', { auth: B, headers: { 'if-match': '"12"' } }), 412, 114);
  expectStatus(await c.get('/v1/permissions', { auth: B, headers: { 'if-none-match': '*' } }), 412, 114);
  expectStatus(await c.get('/v1/permissions', { auth: B, headers: { 'if-match': '"0"' } }), 200);
});

test('permissions endpoint is off by default (item 191)', async (t) => {
  const c = await kintoServer(t);
  expectStatus(await c.get('/v1/permissions'), 404, 111);
  assert.equal(expectStatus(await c.get('/v1/'), 200).capabilities.permissions_endpoint, undefined);
});

test('__user_data__ deletes what a principal owns alone (§10.7)', async (t) => {
  const c = await kintoServer(t, { 'user-data_delete_principals': A_ID });
  await c.put('/v1/buckets/hers', undefined, { auth: B });
  await c.put('/v1/buckets/hers/collections/c', undefined, { auth: B });
  await c.put('/v1/buckets/shared', { permissions: { write: [B_ID], read: [B_ID] } });
  await c.put('/v1/buckets/shared/groups/g', { data: { members: [B_ID, 'x'] } });
  expectStatus(await c.delete(`/v1/__user_data__/${B_ID}`, { auth: B }), 403, 121);
  expectStatus(await c.delete(`/v1/__user_data__/${B_ID}`, { auth: null }), 401, 104);
  const body = expectStatus(await c.delete(`/v1/__user_data__/${B_ID}`), 200);
  assert.deepEqual(body, { data: { principal: B_ID } });
  await assert.rejects(c.kinto.registry.storage.get('bucket', '', 'hers'));
  await assert.rejects(c.kinto.registry.storage.get('collection', '/buckets/hers', 'c'));
  assert.deepEqual(await c.kinto.registry.permission.getObjectPermissions('/buckets/hers/collections/c'), {});
  const shared = expectStatus(await c.get('/v1/buckets/shared'), 200);
  assert.deepEqual(shared.permissions, { write: [A_ID] });
  assert.deepEqual(expectStatus(await c.get('/v1/buckets/shared/groups/g'), 200).data.members, ['x']);
  const hello = expectStatus(await c.get('/v1/', { auth: B }), 200);
  assert.ok(!hello.user.principals.includes('/buckets/shared/groups/g'));
});
