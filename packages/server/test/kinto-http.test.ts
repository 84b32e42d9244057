// The npm `kinto-http` client against a real server on 127.0.0.1: sharing through
// groups, refusals, cascading deletion, and paging while another client writes.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
// kinto-http's `main` bundle requires node-fetch; its `lib/` build uses the global fetch of Node 20.
import kintoHttp from 'kinto-http/lib/index.js';
import { basicAuth, testSettings } from '@kinto-ts/core/testing';
import { createServer } from '../src/app.js';
import { A, B, B_ID, C } from './resource-helpers.js';

async function listening(t: TestContext): Promise<{ url: string; kinto: Awaited<ReturnType<typeof createServer>> }> {
  const kinto = await createServer(testSettings({ paginate_by: null }), { logger: false });
  t.after(() => kinto.close());
  const address = await kinto.listen({ port: 0, host: '127.0.0.1' });
  return { url: `${address}/v1`, kinto };
}

// Loaded through tsx the default import is the class; the CommonJS-typed declarations see a namespace.
const KintoClient = ((kintoHttp as unknown as { default?: unknown }).default ?? kintoHttp) as typeof kintoHttp.default;
type KintoClient = InstanceType<typeof KintoClient>;

function client(url: string, auth: string): KintoClient {
  return new KintoClient(url, { headers: { Authorization: auth } });
}

test('kinto-http: share through a group, refuse others, delete everything below a bucket', async (t) => {
  const { url, kinto } = await listening(t);
  const alice = client(url, A);
  const member = client(url, B);
  const stranger = client(url, C);

  await alice.createBucket('blog');
  const bucket = alice.bucket('blog');
  await bucket.createCollection('articles');
  await bucket.createGroup('readers', [B_ID]);
  const articles = bucket.collection('articles');
  for (const title of ['one', 'two', 'three']) await articles.createRecord({ title });
  await articles.setPermissions({ read: ['/buckets/blog/groups/readers'] });

  const read = await member.bucket('blog').collection('articles').listRecords<{ id: string; last_modified: number; title: string }>();
  assert.deepEqual(read.data.map((r) => r.title).sort(), ['one', 'three', 'two']);
  await assert.rejects(stranger.bucket('blog').collection('articles').listRecords(), (error: { message: string }) => /HTTP 403/.test(error.message));
  await assert.rejects(member.bucket('blog').collection('articles').createRecord({ title: 'no' }), /HTTP 403/);

  await alice.deleteBucket('blog');
  assert.deepEqual((await alice.listBuckets()).data, []);
  const { storage, permission } = kinto.registry;
  assert.equal(await storage.countAll('collection', '/buckets/blog'), 0);
  assert.equal(await storage.countAll('group', '/buckets/blog'), 0);
  assert.equal(await storage.countAll('record', '/buckets/blog/collections/articles'), 0);
  assert.deepEqual(await permission.getObjectPermissions('/buckets/blog/collections/articles'), {});
  const hello = (await (await fetch(`${url}/`, { headers: { Authorization: B } })).json()) as { user: { principals: string[] } };
  assert.ok(!hello.user.principals.includes('/buckets/blog/groups/readers'));
});

test('kinto-http pages through 1,000 records while another client keeps writing', async (t) => {
  const { url } = await listening(t);
  const reader = client(url, A);
  const writer = client(url, basicAuth('mat'));
  await reader.createBucket('b');
  await reader.bucket('b').createCollection('c');
  const collection = reader.bucket('b').collection('c');
  for (let chunk = 0; chunk < 40; chunk++) {
    await collection.batch((batch) => {
      for (let i = 0; i < 25; i++) batch.createRecord({ seed: chunk * 25 + i });
    });
  }
  const initial = new Set((await collection.listRecords({ pages: Infinity })).data.map((r) => r.id));
  assert.equal(initial.size, 1000);

  let writing = true;
  let written = 0;
  const writes = (async () => {
    while (writing) {
      await writer.bucket('b').collection('c').createRecord({ during: true });
      written++;
    }
  })();
  const paged = await collection.listRecords({ limit: 50, pages: Infinity });
  writing = false;
  await writes;
  assert.ok(written > 0, 'the writer wrote during the paging');

  const ids = paged.data.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'no record arrives twice');
  for (const id of initial) assert.ok(ids.includes(id), `${id} arrived`);

  const since = await collection.listRecords({ since: paged.last_modified ?? undefined, pages: Infinity });
  const added = since.data.map((r) => r.id);
  assert.ok(added.length > 0);
  const everything = new Set((await collection.listRecords({ pages: Infinity })).data.map((r) => r.id));
  assert.equal(everything.size, 1000 + written);
  for (const id of added) assert.ok(!ids.includes(id), 'the _since pass only brings what the pages missed');
  assert.deepEqual(new Set([...ids, ...added]), everything);
});
