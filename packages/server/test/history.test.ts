// kinto.plugins.history (kinto-api.md B3, checklist 201–207): recording through
// resource events, the strict `/buckets/{bid}/history` list with its read filtering,
// deletion, trimming, exclusions, and the snapshot endpoint — on the real server.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createBackends } from '@kinto-ts/core';
import { createTestDatabase, serviceSkip, testSettings } from '@kinto-ts/core/testing';
import { pino } from 'pino';
import { A, A_ID, B, B_ID, C, expectStatus, kintoServer, type Client, type Reply } from './resource-helpers.js';

function expect(reply: Reply, status = 200, errno?: number): any {
  return expectStatus(reply, status, errno);
}

interface Entry {
  id: string;
  last_modified: number;
  action: string;
  resource_name: string;
  uri: string;
  user_id: string | null;
  date: string;
  bucket_id?: string;
  collection_id?: string;
  group_id?: string;
  record_id?: string;
  target: { data: Record<string, unknown> & { id: string; last_modified: number }; permissions: Record<string, string[]> };
}

async function historyServer(t: TestContext, values: Record<string, unknown> = {}): Promise<Client> {
  const { includes, ...rest } = values;
  return kintoServer(t, { includes: `kinto.plugins.history ${String(includes ?? '')}`, ...rest });
}

async function history(client: Client, query = '', auth: string | null = A): Promise<Entry[]> {
  return expect(await client.get(`/v1/buckets/b/history${query}`, { auth })).data as Entry[];
}

/** Bucket b, collection c, records r1–r3, r2 deleted (the acceptance scenario). */
async function scenario(client: Client): Promise<void> {
  expect(await client.put('/v1/buckets/b'), 201);
  expect(await client.put('/v1/buckets/b/collections/c'), 201);
  for (const id of ['r1', 'r2', 'r3']) expect(await client.put(`/v1/buckets/b/collections/c/records/${id}`, { data: { title: id } }), 201);
  expect(await client.delete('/v1/buckets/b/collections/c/records/r2'));
}

test('every write leaves one entry, newest first, with the fields of B3 (acceptance, checklist 201, 202)', async (t) => {
  const client = await historyServer(t);
  await scenario(client);
  const entries = await history(client);
  assert.deepEqual(
    entries.map((e) => [e.action, e.resource_name, e.uri]),
    [
      ['delete', 'record', '/buckets/b/collections/c/records/r2'],
      ['create', 'record', '/buckets/b/collections/c/records/r3'],
      ['create', 'record', '/buckets/b/collections/c/records/r2'],
      ['create', 'record', '/buckets/b/collections/c/records/r1'],
      ['create', 'collection', '/buckets/b/collections/c'],
      ['create', 'bucket', '/buckets/b'],
    ],
  );
  const bucket = entries.at(-1)!;
  assert.equal(bucket.bucket_id, 'b');
  assert.equal(bucket.user_id, A_ID);
  assert.deepEqual(bucket.target.permissions, { write: [A_ID] });
  const collection = entries.at(-2)!;
  assert.equal(collection.collection_id, 'c');
  assert.equal('bucket_id' in collection, false);
  const created = entries[1]!;
  assert.equal(created.collection_id, 'c');
  assert.equal(created.record_id, 'r3');
  assert.equal('bucket_id' in created, false);
  assert.equal('timestamp' in created, false);
  assert.equal(created.target.data.title, 'r3');
  assert.match(created.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  assert.ok(Math.abs(Date.parse(created.date) - created.target.data.last_modified) < 5000);
  const deleted = entries[0]!;
  assert.deepEqual(deleted.target.data, { id: 'r2', last_modified: deleted.target.data.last_modified, deleted: true });
  assert.deepEqual(deleted.target.permissions, {});
  // Updates carry the new version.
  expect(await client.patch('/v1/buckets/b/collections/c/records/r1', { data: { title: 'one' } }));
  const [update] = await history(client, '?_limit=1');
  assert.equal(update!.action, 'update');
  assert.equal(update!.target.data.title, 'one');
});

test('batches and plural endpoints record one entry per object; light PATCH answers normally', async (t) => {
  const client = await historyServer(t);
  expect(await client.put('/v1/buckets/b'), 201);
  expect(await client.put('/v1/buckets/b/collections/c'), 201);
  const batch = expect(
    await client.post('/v1/batch', {
      defaults: { method: 'POST', path: '/buckets/b/collections/c/records' },
      requests: [{ body: { data: { n: 1 } } }, { body: { data: { n: 2 } } }, { method: 'PUT', path: '/buckets/b/collections/c/records/x', body: { data: { n: 3 } } }],
    }),
  );
  const ids = batch.responses.map((r: { body: { data: { id: string } } }) => r.body.data.id);
  const records = (await history(client, '?resource_name=record')).map((e) => e.record_id);
  assert.deepEqual(records.sort(), [...ids].sort());
  for (const entry of await history(client, '?resource_name=record')) {
    assert.equal(entry.uri, `/buckets/b/collections/c/records/${entry.record_id}`);
  }
  expect(await client.delete('/v1/buckets/b/collections/c/records'));
  assert.equal((await history(client, '?action=delete')).length, 3);
  // The reference answers 500 here (kinto-api.md B3); kinto-ts records the change and answers.
  expect(await client.put('/v1/buckets/b/collections/c/records/y', { data: { a: 1 } }), 201);
  const light = expect(await client.request('PATCH', '/v1/buckets/b/collections/c/records/y', { body: { data: { a: 2 } }, headers: { 'response-behavior': 'light' } }));
  assert.deepEqual(light, { data: { a: 2 } });
  const [entry] = await history(client, '?_limit=1');
  assert.equal(entry!.target.data.a, 2);
});

test('the history list is read-only and strict (checklist 203)', async (t) => {
  const client = await historyServer(t);
  await scenario(client);
  const unknown = expect(await client.get('/v1/buckets/b/history?movie=x'), 400, 107);
  assert.equal(unknown.message, "Unknown filter field 'movie'");
  assert.equal(unknown.details[0].location, 'querystring');
  expect(await client.get('/v1/buckets/b/history?_sort=movie'), 400, 107);
  expect(await client.get('/v1/buckets/b/history?_fields=movie'), 400, 107);
  for (const method of ['PUT', 'POST', 'PATCH']) {
    const reply = await client.request(method, '/v1/buckets/b/history', { body: { data: {} } });
    expect(reply, 405, 115);
    assert.equal(reply.headers.allow, 'GET, HEAD, DELETE, OPTIONS');
  }
  const [entry] = await history(client);
  expect(await client.get(`/v1/buckets/b/history/${entry!.id}`), 404, 111);
  const head = await client.request('HEAD', '/v1/buckets/b/history');
  expect(head, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers['total-objects'], undefined);
});

test('filters, sorting, pagination and _fields on the schema fields', async (t) => {
  const client = await historyServer(t);
  await scenario(client);
  assert.equal((await history(client, '?resource_name=record')).length, 4);
  assert.equal((await history(client, '?action=delete')).length, 1);
  assert.equal((await history(client, '?in_resource_name=bucket,collection')).length, 2);
  assert.equal((await history(client, '?uri=/buckets/b/collections/c/records/r1')).length, 1);
  assert.equal((await history(client, '?target.data.title=r3')).length, 1);
  assert.equal((await history(client, `?user_id=${A_ID}`)).length, 6);
  assert.deepEqual((await history(client, '?_sort=last_modified&_fields=action')).map((e) => Object.keys(e).sort()), Array(6).fill(['action', 'id', 'last_modified']));
  const oldest = (await history(client, '?_sort=last_modified'))[0]!;
  assert.equal(oldest.resource_name, 'bucket');
  assert.equal((await history(client, `?_since=${oldest.last_modified}`)).length, 5);
  // Numeric-looking ids are ids, compared as strings.
  expect(await client.put('/v1/buckets/b/collections/123'), 201);
  expect(await client.put('/v1/buckets/b/collections/123/records/456'), 201);
  assert.equal((await history(client, '?collection_id=123')).length, 2);
  assert.equal((await history(client, '?record_id=456')).length, 1);
  assert.equal((await history(client, '?in_record_id=456,r1')).length, 2);
  const page = await client.get('/v1/buckets/b/history?_limit=3');
  assert.equal(expect(page).data.length, 3);
  const next = String(page.headers['next-page']);
  assert.match(next, /_token=/);
  const second = await client.get(new URL(next).pathname + new URL(next).search);
  assert.equal(expect(second).data.length, 3);
  const last = String(second.headers['next-page']);
  const third = await client.get(new URL(last).pathname + new URL(last).search);
  assert.equal(expect(third).data.length, 2);
  assert.equal(third.headers['next-page'], undefined);
});

test('readers of one collection see only its entries recorded after the grant (checklist 204)', async (t) => {
  const client = await historyServer(t);
  expect(await client.put('/v1/buckets/b'), 201);
  expect(await client.put('/v1/buckets/b/collections/c'), 201);
  expect(await client.put('/v1/buckets/b/collections/other'), 201);
  expect(await client.put('/v1/buckets/b/collections/c/records/before'), 201);
  // Without any readable entry nor bucket read: 403 (401 anonymous).
  expect(await client.get('/v1/buckets/b/history', { auth: B }), 403, 121);
  expect(await client.get('/v1/buckets/b/history', { auth: null }), 401, 104);
  expect(await client.patch('/v1/buckets/b/collections/c', { permissions: { read: [B_ID] } }));
  expect(await client.put('/v1/buckets/b/collections/c/records/after'), 201);
  expect(await client.put('/v1/buckets/b/collections/other/records/hidden'), 201);
  const seen = await history(client, '', B);
  assert.deepEqual(
    seen.map((e) => e.uri),
    ['/buckets/b/collections/c/records/after', '/buckets/b/collections/c'],
  );
  // Users who could read nothing at recording time see nothing.
  expect(await client.get('/v1/buckets/b/history', { auth: C }), 403, 121);
  const all = await history(client);
  assert.equal(all.length, 7);
  // A bucket reader sees everything.
  expect(await client.patch('/v1/buckets/b', { permissions: { read: [B_ID] } }));
  assert.equal((await history(client, '', B)).length, 8);
});

test('history_read_principals and history_write_principals; deletion needs bucket write', async (t) => {
  const client = await historyServer(t, { history_read_principals: 'system.Everyone' });
  await scenario(client);
  assert.equal((await history(client, '', null)).length, 6);
  expect(await client.delete('/v1/buckets/b/history', { auth: B }), 403, 121);
  const oldest = (await history(client, '?_sort=last_modified'))[2]!;
  const deleted = expect(await client.delete(`/v1/buckets/b/history?_before=${oldest.last_modified}`)).data;
  assert.equal(deleted.length, 2);
  assert.equal((await history(client)).length, 4);
  expect(await client.delete('/v1/buckets/b/history?resource_name=record'));
  assert.deepEqual((await history(client)).map((e) => e.resource_name), []);

  const writers = await historyServer(t, { history_write_principals: B_ID });
  await scenario(writers);
  expect(await writers.delete('/v1/buckets/b/history', { auth: B }));
  assert.equal((await history(writers)).length, 0);
});

test('deleting a collection leaves one entry; deleting a bucket deletes its history (checklist 205, §8)', async (t) => {
  const client = await historyServer(t);
  await scenario(client);
  expect(await client.delete('/v1/buckets/b/collections/c'));
  const [last, ...others] = await history(client);
  assert.deepEqual([last!.action, last!.resource_name, last!.uri], ['delete', 'collection', '/buckets/b/collections/c']);
  assert.equal(others.length, 6, 'no entries for the records of the collection');
  expect(await client.delete('/v1/buckets/b'));
  expect(await client.put('/v1/buckets/b'), 201);
  assert.deepEqual((await history(client)).map((e) => [e.action, e.resource_name]), [['create', 'bucket']]);
  // Their ACLs went with them.
  const accessible = await client.kinto.registry.permission.getAccessibleObjects([A_ID, 'system.Everyone']);
  assert.equal(Object.keys(accessible).filter((uri) => uri.startsWith('/buckets/b/history/')).length, 1);
});

test('auto_trim_max_count keeps the newest entries per resource name (checklist 206), per user when restricted', async (t) => {
  const client = await historyServer(t, { 'history.auto_trim_max_count': 5, 'history.auto_trim_threshold': 0 });
  expect(await client.put('/v1/buckets/b'), 201);
  expect(await client.put('/v1/buckets/b/collections/c'), 201);
  for (let i = 0; i < 12; i++) expect(await client.put(`/v1/buckets/b/collections/c/records/r${i}`), 201);
  const records = await history(client, '?resource_name=record');
  assert.deepEqual(records.map((e) => e.record_id), ['r11', 'r10', 'r9', 'r8', 'r7']);
  assert.equal((await history(client, '?resource_name=bucket')).length, 1);
  const hello = expect(await client.get('/v1/', { auth: null }));
  assert.deepEqual(hello.capabilities.history, {
    description: 'Track changes on data.',
    url: 'http://kinto.readthedocs.io/en/latest/api/1.x/history.html',
    auto_trim_max_count: 5,
  });

  const threshold = await historyServer(t, { 'kinto.history.auto_trim_max_count': 2, 'history.auto_trim_threshold': 3 });
  expect(await threshold.put('/v1/buckets/b'), 201);
  expect(await threshold.put('/v1/buckets/b/collections/c'), 201);
  const counts: number[] = [];
  for (let i = 0; i < 7; i++) {
    expect(await threshold.put(`/v1/buckets/b/collections/c/records/r${i}`), 201);
    counts.push((await history(threshold, '?resource_name=record')).length);
  }
  // Trimmed back to 2 only once more than 2 + 3 entries exist.
  assert.deepEqual(counts, [1, 2, 3, 4, 5, 2, 3]);

  const byUser = await historyServer(t, { 'history.auto_trim_max_count': 1, 'history.auto_trim_threshold': 0, 'history.auto_trim_user_ids': B_ID });
  expect(await byUser.put('/v1/buckets/b', { permissions: { write: [B_ID] } }), 201);
  expect(await byUser.put('/v1/buckets/b/collections/c'), 201);
  for (const [auth, id] of [[A, 'a1'], [B, 'b1'], [A, 'a2'], [B, 'b2'], [B, 'b3']] as const) {
    expect(await byUser.put(`/v1/buckets/b/collections/c/records/${id}`, undefined, { auth }), 201);
  }
  assert.deepEqual((await history(byUser, '?resource_name=record')).map((e) => e.record_id), ['b3', 'a2', 'a1']);
  assert.deepEqual(expect(await byUser.get('/v1/', { auth: null })).capabilities.history.auto_trim_user_ids, [B_ID]);
});

test('exclude_resources and exclude_user_ids skip recording; a bad excluded URI stops start-up', async (t) => {
  const client = await historyServer(t, {
    'history.exclude_resources': '/buckets/quiet /buckets/b/collections/secret /buckets/b/collections/c/records/r2 /buckets/b/groups/g',
    'history.exclude_user_ids': B_ID,
  });
  expect(await client.put('/v1/buckets/quiet'), 201);
  await scenario(client);
  expect(await client.put('/v1/buckets/b/collections/secret'), 201);
  expect(await client.put('/v1/buckets/b/collections/secret/records/x'), 201);
  expect(await client.put('/v1/buckets/b/groups/g', { data: { members: [] } }), 201);
  expect(await client.patch('/v1/buckets/b', { permissions: { write: [B_ID] } }));
  expect(await client.put('/v1/buckets/b/collections/by-b', undefined, { auth: B }), 201);
  const uris = (await history(client)).map((e) => e.uri);
  assert.deepEqual(uris, [
    '/buckets/b',
    '/buckets/b/collections/c/records/r3',
    '/buckets/b/collections/c/records/r1',
    '/buckets/b/collections/c',
    '/buckets/b',
  ]);
  expect(await client.get('/v1/buckets/quiet/history'));
  assert.deepEqual(expect(await client.get('/v1/buckets/quiet/history')).data, []);
  assert.deepEqual(expect(await client.get('/v1/', { auth: null })).capabilities.history.excluded_resources, [
    { bucket: 'quiet' },
    { bucket: 'b', collection: 'secret' },
    { bucket: 'b', collection: 'c', record: 'r2' },
    { bucket: 'b', group: 'g' },
  ]);
  await assert.rejects(historyServer(t, { 'history.exclude_resources': '/nope' }), { name: 'StartupError', message: /history\.exclude_resources/ });
});

test('without explicit permissions entries follow inheritance only', async (t) => {
  const client = await historyServer(t, { explicit_permissions: false, bucket_create_principals: 'system.Authenticated' });
  expect(await client.put('/v1/buckets/b', { permissions: { write: [A_ID] } }), 201);
  expect(await client.put('/v1/buckets/b/collections/c', { permissions: { read: [B_ID] } }), 201);
  expect(await client.put('/v1/buckets/b/collections/c/records/r'), 201);
  assert.equal((await history(client)).length, 3);
  expect(await client.get('/v1/buckets/b/history', { auth: B }), 403, 121);
});

test('default_bucket implicit creations are recorded in the real bucket', async (t) => {
  const client = await historyServer(t, { includes: 'kinto.plugins.default_bucket' });
  const bucket = expect(await client.get('/v1/buckets/default/collections/tasks')).data;
  assert.equal(bucket.id, 'tasks');
  const hello = expect(await client.get('/v1/'));
  const entries = expect(await client.get(`/v1/buckets/${hello.user.bucket}/history`)).data as Entry[];
  assert.deepEqual(entries.map((e) => [e.action, e.resource_name]), [['create', 'collection'], ['create', 'bucket']]);
  assert.equal(entries[1]!.bucket_id, hello.user.bucket);
});

test('snapshot: the records as they were at a timestamp (acceptance, checklist 207)', async (t) => {
  const client = await historyServer(t);
  expect(await client.put('/v1/buckets/b'), 201);
  expect(await client.put('/v1/buckets/b/collections/c'), 201);
  const before = expect(await client.get('/v1/buckets/b/collections/c')).data.last_modified as number;
  const r1 = expect(await client.put('/v1/buckets/b/collections/c/records/r1', { data: { v: 1 } }), 201).data;
  const r2 = expect(await client.put('/v1/buckets/b/collections/c/records/r2', { data: { v: 1 } }), 201).data;
  const r4 = expect(await client.put('/v1/buckets/b/collections/c/records/r4', { data: { v: 1 } }), 201).data;
  const at = r4.last_modified as number;
  expect(await client.put('/v1/buckets/b/collections/c/records/r1', { data: { v: 2 } }));
  expect(await client.delete('/v1/buckets/b/collections/c/records/r2'));
  expect(await client.put('/v1/buckets/b/collections/c/records/r3', { data: { v: 1 } }), 201);
  expect(await client.delete('/v1/buckets/b/collections/c/records/r4'));
  expect(await client.put('/v1/buckets/b/collections/c/records/r4', { data: { v: 2 } }), 201);

  const snapshot = expect(await client.get(`/v1/buckets/b/snapshot/collections/c@${at}`)).data;
  assert.deepEqual(snapshot, [r4, r2, r1]);
  const between = expect(await client.get(`/v1/buckets/b/snapshot/collections/c@${r1.last_modified}`)).data;
  assert.deepEqual(between, [r1]);
  assert.deepEqual(expect(await client.get(`/v1/buckets/b/snapshot/collections/c@${before}`)).data, []);
  // A future timestamp is the present.
  const now = expect(await client.get('/v1/buckets/b/collections/c/records')).data;
  assert.deepEqual(expect(await client.get(`/v1/buckets/b/snapshot/collections/c@${Date.now() + 86_400_000}`)).data, now);
  // Nothing was written by reading.
  assert.deepEqual(expect(await client.get('/v1/buckets/b/collections/c/records')).data, now);
});

test('snapshot: permissions from the backend only, invalid timestamps are 400', async (t) => {
  const client = await historyServer(t, { bucket_read_principals: 'system.Everyone' });
  await scenario(client);
  const stranger = expect(await client.get('/v1/buckets/b/snapshot/collections/c@0', { auth: B }), 403, 121);
  assert.equal(stranger.message, 'This user cannot access this resource.');
  expect(await client.get('/v1/buckets/b/snapshot/collections/c@0', { auth: null }), 401, 104);
  expect(await client.patch('/v1/buckets/b/collections/c', { permissions: { read: [B_ID] } }));
  expect(await client.get('/v1/buckets/b/snapshot/collections/c@0', { auth: B }));
  for (const bad of ['abc', '-1', '1.5', '', '12abc', '%20']) {
    const reply = expect(await client.get(`/v1/buckets/b/snapshot/collections/c@${bad}`), 400, 107);
    assert.equal(reply.message, `Invalid timestamp '${decodeURIComponent(bad)}'`);
    assert.deepEqual(reply.details, [{ location: 'path', name: 'timestamp', description: `Invalid timestamp '${decodeURIComponent(bad)}'` }]);
  }
  expect(await client.get('/v1/buckets/b/snapshot/collections/c'), 404, 111);
  expect(await client.put('/v1/buckets/b/snapshot/collections/c@0'), 405, 115);
  assert.deepEqual(expect(await client.get('/v1/buckets/b/snapshot/collections/nothing@0')).data, []);
});

const pgSkip = await serviceSkip('postgresql');

test('on PostgreSQL: recording, read filtering, snapshot and bucket deletion', { skip: pgSkip }, async (t) => {
  const db = await createTestDatabase('history');
  t.after(() => db.drop());
  const values = {
    includes: 'kinto.plugins.history',
    storage_backend: 'kinto.core.storage.postgresql',
    storage_url: db.url,
    permission_backend: 'kinto.core.permission.postgresql',
    permission_url: db.url,
  };
  const backends = await createBackends({ settings: testSettings(values), log: pino({ level: 'silent' }) });
  for (const backend of [backends.storage, backends.permission]) await (backend as { migrate?: () => Promise<void> }).migrate?.();
  await Promise.all([backends.storage.close(), backends.permission.close(), backends.cache.close()]);
  const client = await kintoServer(t, values);

  await scenario(client);
  const r1 = expect(await client.get('/v1/buckets/b/collections/c/records/r1')).data;
  expect(await client.put('/v1/buckets/b/collections/c/records/r1', { data: { title: 'changed' } }));
  assert.deepEqual(
    expect(await client.get(`/v1/buckets/b/snapshot/collections/c@${r1.last_modified}`)).data.map((r: { id: string; title: string }) => [r.id, r.title]),
    [['r1', 'r1']],
  );
  assert.equal((await history(client, '?resource_name=record&collection_id=c')).length, 5);
  expect(await client.patch('/v1/buckets/b/collections/c', { permissions: { read: [B_ID] } }));
  expect(await client.put('/v1/buckets/b/collections/c/records/r9'), 201);
  assert.deepEqual((await history(client, '', B)).map((e) => e.uri), ['/buckets/b/collections/c/records/r9', '/buckets/b/collections/c']);
  expect(await client.delete('/v1/buckets/b'));
  expect(await client.put('/v1/buckets/b'), 201);
  assert.equal((await history(client)).length, 1);
});

test('group entries carry group_id; updating a bucket is recorded with its bucket_id', async (t) => {
  const client = await historyServer(t);
  expect(await client.put('/v1/buckets/b'), 201);
  expect(await client.put('/v1/buckets/b/groups/editors', { data: { members: [B_ID] } }), 201);
  expect(await client.patch('/v1/buckets/b', { data: { title: 'Blog' } }));
  const [bucket, group] = await history(client);
  assert.deepEqual([bucket!.action, bucket!.resource_name, bucket!.bucket_id, bucket!.target.data.title], ['update', 'bucket', 'b', 'Blog']);
  assert.deepEqual([group!.action, group!.resource_name, group!.group_id, group!.uri], ['create', 'group', 'editors', '/buckets/b/groups/editors']);
  assert.equal('bucket_id' in group!, false);
  assert.deepEqual(group!.target.data.members, [B_ID]);
});
