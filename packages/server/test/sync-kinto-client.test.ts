// The offline-first client against the real server (issue #5 acceptance): two npm
// `kinto` (kinto.js) clients with their in-memory adapter sync 250 records through a
// server listening on 127.0.0.1. Pushes go through `/batch` in chunks of
// `batch_max_requests`, creations with `If-None-Match: *`, updates with `If-Match`.
// Both clients edit the same record; the second push gets a 412 inside the batch,
// kinto.js reports the conflict, and it is resolved.
//
// kinto.js 15–17 picks its storage adapter from the `adapter` option (default: IDB);
// its `Memory` adapter (lib/cjs/adapters/memory.js) needs no IndexedDB in Node.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { KintoApp } from '@kinto-ts/core';
import { basicAuth, testSettings } from '@kinto-ts/core/testing';
import { createServer } from '../src/app.js';

const require = createRequire(import.meta.url);

interface SyncResult {
  ok: boolean;
  conflicts: Array<{ type: string; local: Record<string, unknown>; remote: Record<string, unknown> | null }>;
  errors: unknown[];
  published: unknown[];
  created: unknown[];
  updated: unknown[];
}

interface Collection {
  create(record: Record<string, unknown>): Promise<{ data: Record<string, unknown> & { id: string } }>;
  update(record: Record<string, unknown>): Promise<{ data: Record<string, unknown> }>;
  get(id: string): Promise<{ data: Record<string, unknown> }>;
  list(): Promise<{ data: Array<Record<string, unknown>> }>;
  sync(options?: Record<string, unknown>): Promise<SyncResult>;
  resolve(conflict: SyncResult['conflicts'][number], resolution: Record<string, unknown>): Promise<unknown>;
}

interface KintoClient {
  collection(name: string): Collection;
  api: { http: { fetchFunc: typeof fetch } };
}

type KintoConstructor = new (options: Record<string, unknown>) => KintoClient;

// kinto.js ships CommonJS next to extension-less ESM: load the CommonJS build.
const Kinto = (require('kinto') as { default: KintoConstructor }).default;
const MemoryAdapter = (require('kinto/lib/cjs/adapters/memory.js') as { default: new () => unknown }).default;

const MAT = basicAuth('mat');
const ALICE = basicAuth('alice');
const ALICE_ID = 'basicauth:d5b0026601f1b251974e09548d44155e16812e3c64ff7ae053fe3542e2ca1570';

function client(remote: string, authorization: string): KintoClient {
  return new Kinto({ remote, bucket: 'b', adapter: () => new MemoryAdapter(), headers: { Authorization: authorization } });
}

test('two kinto.js clients sync 250 records, conflict on one record (412 via If-Match), then resolve', async (t) => {
  const kinto: KintoApp = await createServer(testSettings(), { logger: false });
  t.after(() => kinto.close());
  const address = await kinto.listen({ port: 0, host: '127.0.0.1' });
  const remote = `${address}/v1`;

  // The bucket is shared with the second user; kinto.js syncs existing collections.
  const setup = async (url: string, body: unknown) => {
    const r = await fetch(`${remote}${url}`, { method: 'PUT', headers: { Authorization: MAT, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 201, await r.text());
  };
  await setup('/buckets/b', { permissions: { write: [ALICE_ID] } });
  await setup('/buckets/b/collections/tasks', {});

  // Count the batches the clients send, to see pushes go through /batch in chunks.
  const batches: number[] = [];
  const counting = (http: { fetchFunc: typeof fetch }) => {
    const original = http.fetchFunc;
    http.fetchFunc = async (input, init) => {
      if (String(input).endsWith('/batch')) batches.push((JSON.parse(String(init?.body)) as { requests: unknown[] }).requests.length);
      return original(input, init);
    };
  };

  const first = client(remote, MAT);
  const second = client(remote, ALICE);
  counting(first.api.http);
  counting(second.api.http);
  const tasksA = first.collection('tasks');
  const tasksB = second.collection('tasks');

  for (let i = 0; i < 250; i++) await tasksA.create({ title: `task ${i}`, done: false });
  const pushed = await tasksA.sync();
  assert.equal(pushed.ok, true, JSON.stringify(pushed.errors));
  assert.equal(pushed.published.length, 250);
  assert.equal(batches.length, 10, 'ten batches of 25 sub-requests');
  assert.ok(batches.every((n) => n <= 25));

  const server = await fetch(`${remote}/buckets/b/collections/tasks/records`, { method: 'HEAD', headers: { Authorization: MAT } });
  assert.equal(server.headers.get('total-objects'), '250');

  const pulled = await tasksB.sync();
  assert.equal(pulled.ok, true);
  assert.equal(pulled.created.length, 250);
  assert.equal((await tasksB.list()).data.length, 250);

  // Both edit the same record. The first client pushes its edit between the second
  // client's pull and push, so the second push carries a stale If-Match.
  const target = (await tasksA.list()).data.find((r) => r.title === 'task 42')!;
  const id = target.id as string;
  await tasksA.update({ ...target, title: 'from A' });
  const local = (await tasksB.get(id)).data;
  await tasksB.update({ ...local, title: 'from B' });

  const http = second.api.http;
  const fetchB = http.fetchFunc;
  let raced = false;
  let conflictStatus: number | undefined;
  http.fetchFunc = async (input, init) => {
    if (String(input).endsWith('/batch') && !raced) {
      raced = true;
      const syncA = await tasksA.sync();
      assert.equal(syncA.ok, true);
      const response = await fetchB(input, init);
      const { responses } = (await response.clone().json()) as { responses: Array<{ status: number; path: string }> };
      conflictStatus = responses.find((r) => r.path.endsWith(`/records/${id}`))?.status;
      return response;
    }
    return fetchB(input, init);
  };

  const conflicted = await tasksB.sync();
  assert.equal(conflictStatus, 412, 'the server refused the stale If-Match');
  assert.equal(conflicted.ok, false);
  assert.equal(conflicted.conflicts.length, 1);
  const [conflict] = conflicted.conflicts;
  assert.equal(conflict!.type, 'outgoing');
  assert.equal(conflict!.local.title, 'from B');
  assert.equal(conflict!.remote?.title, 'from A');

  // Resolution: keep both titles; the next sync pushes it with the current If-Match.
  await tasksB.resolve(conflict!, { ...conflict!.local, title: 'from A and B' });
  const resolved = await tasksB.sync();
  assert.equal(resolved.ok, true, JSON.stringify(resolved.conflicts));
  const stored = await fetch(`${remote}/buckets/b/collections/tasks/records/${id}`, { headers: { Authorization: MAT } });
  assert.equal(((await stored.json()) as { data: { title: string } }).data.title, 'from A and B');

  const again = await tasksA.sync();
  assert.equal(again.ok, true);
  assert.equal((await tasksA.get(id)).data.title, 'from A and B');
  assert.equal((await tasksA.list()).data.length, 250);
});
