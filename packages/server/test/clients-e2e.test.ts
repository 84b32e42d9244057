// The official JavaScript clients end to end (issue #10): npm `kinto-http` and the
// offline-first `kinto` (kinto.js, Memory adapter) against a server listening on
// 127.0.0.1 with accounts, history, default_bucket and flush enabled — the setup their
// own test suites use. Account sign-up and login, history after writes, a snapshot at
// a past timestamp, a two-device sync with a conflict and its resolution, flush.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test, type TestContext } from 'node:test';
import { testSettings } from '@kinto-ts/core/testing';
// kinto-http's `main` bundle requires node-fetch; its `lib/` build uses Node 20's global fetch.
import kintoHttp from 'kinto-http/lib/index.js';
import { createServer } from '../src/app.js';

const require = createRequire(import.meta.url);

// Loaded through tsx the default import is the class; its CommonJS-typed declarations see a namespace.
const KintoClient = ((kintoHttp as unknown as { default?: unknown }).default ?? kintoHttp) as typeof kintoHttp.default;
type KintoClient = InstanceType<typeof KintoClient>;

interface SyncResult {
  ok: boolean;
  conflicts: Array<{ type: string; local: Record<string, unknown>; remote: Record<string, unknown> | null }>;
  errors: unknown[];
  created: unknown[];
  published: unknown[];
}
interface OfflineCollection {
  create(record: Record<string, unknown>): Promise<{ data: Record<string, unknown> & { id: string } }>;
  update(record: Record<string, unknown>): Promise<{ data: Record<string, unknown> }>;
  get(id: string): Promise<{ data: Record<string, unknown> & { id: string } }>;
  list(): Promise<{ data: Array<Record<string, unknown> & { id: string }> }>;
  sync(options?: Record<string, unknown>): Promise<SyncResult>;
  resolve(conflict: SyncResult['conflicts'][number], resolution: Record<string, unknown>): Promise<unknown>;
}
type OfflineKinto = new (options: Record<string, unknown>) => { collection(name: string): OfflineCollection };

// kinto.js ships CommonJS next to extension-less ESM: load the CommonJS build.
const Kinto = (require('kinto') as { default: OfflineKinto }).default;
const MemoryAdapter = (require('kinto/lib/cjs/adapters/memory.js') as { default: new () => unknown }).default;

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

async function listening(t: TestContext): Promise<string> {
  const kinto = await createServer(
    testSettings({
      includes: 'kinto.plugins.accounts kinto.plugins.history kinto.plugins.default_bucket kinto.plugins.flush',
      'multiauth.policies': 'account',
      'multiauth.policy.account.use': 'kinto.plugins.accounts.AccountsPolicy',
      account_create_principals: 'system.Everyone',
      account_bcrypt_rounds: 4,
      bucket_create_principals: 'system.Authenticated',
    }),
    { logger: false },
  );
  t.after(() => kinto.close());
  return `${await kinto.listen({ port: 0, host: '127.0.0.1' })}/v1`;
}

function httpClient(remote: string, authorization?: string): KintoClient {
  return new KintoClient(remote, authorization ? { headers: { Authorization: authorization } } : {});
}

async function signUp(remote: string, user: string, password: string): Promise<void> {
  await httpClient(remote).execute({ method: 'PUT', path: `/accounts/${user}`, headers: {}, body: { data: { password } } });
}

test('kinto-http: sign-up, login, history after writes, snapshot at a past timestamp, flush', async (t) => {
  const remote = await listening(t);
  const info = await httpClient(remote).fetchServerInfo();
  for (const capability of ['accounts', 'history', 'default_bucket', 'flush_endpoint']) assert.ok(info.capabilities[capability], capability);

  await signUp(remote, 'alice', 's3cret');
  const alice = httpClient(remote, basic('alice', 's3cret'));
  const user = await alice.fetchUser();
  assert.equal(user?.id, 'account:alice');
  assert.equal(await httpClient(remote, basic('alice', 'wrong')).fetchUser(), undefined);
  await assert.rejects(httpClient(remote, basic('alice', 'wrong')).listBuckets(), /HTTP 401/);

  await alice.createBucket('blog');
  const blog = alice.bucket('blog');
  await blog.createCollection('articles');
  const articles = blog.collection('articles');
  const first = (await articles.createRecord({ title: 'first' })).data;
  const second = (await articles.createRecord({ title: 'second' })).data;
  const past = second.last_modified;
  await articles.updateRecord({ ...first, title: 'first, edited' });
  await articles.deleteRecord(second.id);
  await articles.createRecord({ title: 'third' });

  const entries = (await blog.listHistory<Record<string, unknown>>()).data as unknown as Array<Record<string, any>>;
  assert.deepEqual(
    entries.map((e) => [e.action, e.resource_name]),
    [['create', 'record'], ['delete', 'record'], ['update', 'record'], ['create', 'record'], ['create', 'record'], ['create', 'collection'], ['create', 'bucket']],
  );
  assert.ok(entries.every((e) => e.user_id === 'account:alice'));
  const updates = (await blog.listHistory({ filters: { action: 'update' } })).data as unknown as Array<Record<string, any>>;
  assert.equal(updates.length, 1);
  assert.equal(updates[0]!.target.data.title, 'first, edited');

  // kinto-http has no snapshot method: a raw request (execute sends only the headers given).
  const snapshot = (await alice.execute({
    path: `/buckets/blog/snapshot/collections/articles@${past}`,
    headers: { Authorization: basic('alice', 's3cret') },
  })) as { data: Array<Record<string, unknown>> };
  assert.deepEqual(snapshot.data.map((r) => r.title), ['second', 'first']);

  // The default bucket is the user's own; its history is in the real bucket.
  const tasks = alice.bucket('default').collection('tasks');
  await tasks.createRecord({ title: 'write docs' });
  const defaultEntries = (await alice.bucket(user!.bucket as string).listHistory()).data as unknown as Array<Record<string, any>>;
  assert.deepEqual(defaultEntries.map((e) => e.resource_name), ['record', 'collection', 'bucket']);

  await httpClient(remote).execute({ method: 'POST', path: '/__flush__', headers: {} });
  assert.equal(await alice.fetchUser(), undefined, 'the account went with the flush');
});

test('kinto.js: two devices of one account sync the default bucket, conflict, resolve; history shows it all', async (t) => {
  const remote = await listening(t);
  await signUp(remote, 'bob', 'p4ss');
  const auth = basic('bob', 'p4ss');
  const device = () => new Kinto({ remote, bucket: 'default', adapter: () => new MemoryAdapter(), headers: { Authorization: auth } });
  const laptop = device().collection('tasks');
  const phone = device().collection('tasks');

  const { data: task } = await laptop.create({ title: 'buy milk', done: false });
  await laptop.create({ title: 'call mom', done: false });
  const pushed = await laptop.sync();
  assert.equal(pushed.ok, true, JSON.stringify(pushed.errors));
  assert.equal(pushed.published.length, 2);
  const pulled = await phone.sync();
  assert.equal(pulled.ok, true);
  assert.equal(pulled.created.length, 2);

  // Both edit the same task; the laptop syncs first.
  await laptop.update({ ...(await laptop.get(task.id)).data, done: true });
  assert.equal((await laptop.sync()).ok, true);
  await phone.update({ ...(await phone.get(task.id)).data, title: 'buy oat milk' });
  const conflicted = await phone.sync();
  assert.equal(conflicted.ok, false);
  assert.equal(conflicted.conflicts.length, 1);
  const [conflict] = conflicted.conflicts;
  assert.equal(conflict!.local.title, 'buy oat milk');
  assert.equal(conflict!.remote?.done, true);
  await phone.resolve(conflict!, { ...conflict!.local, done: true });
  const resolved = await phone.sync();
  assert.equal(resolved.ok, true, JSON.stringify(resolved.conflicts));
  assert.equal((await laptop.sync()).ok, true);
  const final = (await laptop.get(task.id)).data;
  assert.equal(final.title, 'buy oat milk');
  assert.equal(final.done, true);

  // The server kept the story of that task, in the user's default bucket.
  const api = httpClient(remote, auth);
  const bucket = (await api.fetchUser())!.bucket as string;
  const entries = (await api.bucket(bucket).listHistory({ filters: { record_id: task.id } })).data as unknown as Array<Record<string, any>>;
  assert.deepEqual(entries.map((e) => e.action), ['update', 'update', 'create']);
  assert.deepEqual(entries.map((e) => e.target.data.title), ['buy oat milk', 'buy milk', 'buy milk']);
});
