// `POST /v1/batch` with Kinto's resources (kinto-api.md §10.5; checklist 159, 160)
// and its transaction on PostgreSQL: a 5xx fails and rolls back the whole batch, a
// 409 rolls back what came before it, other 4xx undo nothing. The core-only rules
// (validation, limits, defaults, redirects, authentication) are in
// packages/core/test/batch.test.ts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { conflict, createBackends, definePlugin, isMigratable, type KintoApp, type ResourceChangedEvent } from '@kinto-ts/core';
import { assertKintoError, basicAuth, testSettings } from '@kinto-ts/core/testing';
import { createServer } from '../src/app.js';

const MAT = basicAuth('mat');

interface Sub {
  status: number;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const events: ResourceChangedEvent[] = [];
const testPlugin = definePlugin({
  name: 'batch-test',
  includeme(api) {
    api.service({ name: 'crash', path: '/crash', methods: { GET: () => { throw new Error('boom'); } } });
    api.service({ name: 'conflict', path: '/conflict', methods: { POST: () => { throw conflict(); } } });
    api.events.on('AfterResourceChanged', (event) => void events.push(event));
  },
});

async function server(t: { after: (fn: () => Promise<void>) => void }, values: Record<string, unknown> = {}, migrate = false): Promise<KintoApp> {
  const settings = testSettings({ includes: 'batch-test', ...values });
  let backends;
  if (migrate) {
    // The PostgreSQL schema must exist before a server starts (`kinto migrate`).
    const scratch = await createServer(testSettings(), { logger: false });
    backends = await createBackends({ settings, log: scratch.app.log });
    await scratch.close();
    for (const backend of [backends.storage, backends.permission]) if (isMigratable(backend)) await backend.migrate();
  }
  const kinto = await createServer(settings, { logger: false, plugins: { 'batch-test': testPlugin }, backends });
  t.after(() => kinto.close());
  return kinto;
}

async function batch(kinto: KintoApp, body: unknown) {
  return kinto.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: MAT, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
}

async function responses(kinto: KintoApp, body: unknown): Promise<Sub[]> {
  const r = await batch(kinto, body);
  assert.equal(r.statusCode, 200, r.body);
  return (JSON.parse(r.body) as { responses: Sub[] }).responses;
}

async function status(kinto: KintoApp, url: string): Promise<number> {
  return (await kinto.app.inject({ url, headers: { authorization: MAT } })).statusCode;
}

test('two PUTs with If-None-Match: * on a new record give 201 then 412 (checklist 159)', async (t) => {
  const kinto = await server(t);
  const list = await responses(kinto, {
    defaults: { method: 'PUT' },
    requests: [
      { path: '/buckets/b' },
      { path: '/buckets/b/collections/c' },
      { path: '/buckets/b/collections/c/records/r', headers: { 'If-None-Match': '*' }, body: { data: { n: 1 } } },
      { path: '/buckets/b/collections/c/records/r', headers: { 'If-None-Match': '*' }, body: { data: { n: 2 } } },
    ],
  });
  assert.deepEqual(list.map((r) => r.status), [201, 201, 201, 412]);
  const [, , createdRecord, refused] = list;
  assert.equal(createdRecord!.headers.ETag, `"${String(createdRecord!.body.data && (createdRecord!.body.data as { last_modified: number }).last_modified)}"`);
  assert.equal((refused!.body as { errno: number }).errno, 114);
  assert.deepEqual(((refused!.body as { details: { existing: Record<string, unknown> } }).details.existing).n, 1);
});

test('a trailing-slash sub-request is followed to its target (checklist 160)', async (t) => {
  const kinto = await server(t);
  const [r] = await responses(kinto, { requests: [{ path: '/buckets/' }] });
  assert.equal(r!.status, 200);
  assert.equal(r!.path, '/v1/buckets');
  assert.deepEqual(r!.body, { data: [] });
});

test('a failing sub-request does not undo the others; errors are inline', async (t) => {
  const kinto = await server(t);
  const list = await responses(kinto, {
    requests: [
      { method: 'PUT', path: '/buckets/ok' },
      { method: 'PUT', path: '/buckets/__invalid__' },
      { method: 'GET', path: '/buckets/missing/collections/c' },
      { method: 'PATCH', path: '/buckets/ok', body: { data: { title: 'x' } } },
    ],
  });
  assert.deepEqual(list.map((r) => r.status), [201, 400, 403, 200]);
  assert.equal(await status(kinto, '/v1/buckets/ok'), 200);
});

test('change events of several sub-requests are merged and delivered once', async (t) => {
  const kinto = await server(t);
  events.length = 0;
  await responses(kinto, {
    requests: [
      { method: 'PUT', path: '/buckets/b' },
      { method: 'PUT', path: '/buckets/b/collections/c' },
      ...Array.from({ length: 3 }, (_, i) => ({ method: 'POST', path: '/buckets/b/collections/c/records', body: { data: { i } } })),
    ],
  });
  const records = events.filter((e) => e.payload.resource_name === 'record');
  assert.equal(records.length, 1);
  assert.equal(records[0]!.payload.action, 'create');
  assert.deepEqual(records[0]!.impacted_objects.map((o) => o.new.i), [0, 1, 2]);
  assert.equal(events.length, 3, 'bucket, collection, records');
});

test('sub-requests are authorized one by one with the batch identity', async (t) => {
  const kinto = await server(t);
  await responses(kinto, { requests: [{ method: 'PUT', path: '/buckets/private' }] });
  const list = await responses(kinto, {
    requests: [
      { path: '/buckets/private' },
      { path: '/buckets/private', headers: { Authorization: basicAuth('alice') } },
      { method: 'PUT', path: '/buckets/private', headers: { Authorization: '' } },
    ],
  });
  assert.deepEqual(list.map((r) => r.status), [200, 403, 401]);
});

// PostgreSQL: the batch is one transaction (kinto-api.md §10.5).
async function postgresAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 5432 });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const hasPostgres = await postgresAvailable();
if (!hasPostgres && process.env.CI === 'true') throw new Error('PostgreSQL is required on CI (127.0.0.1:5432)');

describe('batch transactions on PostgreSQL', { skip: hasPostgres ? false : 'PostgreSQL is not running on 127.0.0.1:5432' }, () => {
  const settings = { storage_backend: 'postgresql', storage_url: PG_URL, permission_backend: 'postgresql', permission_url: PG_URL };
  const unique = () => `b${randomUUID().slice(0, 8)}`;

  test('an unexpected error fails the whole batch and rolls everything back', async (t) => {
    const kinto = await server(t, settings, true);
    const id = unique();
    const r = await batch(kinto, { requests: [{ method: 'PUT', path: `/buckets/${id}` }, { path: '/crash' }] });
    assertKintoError(r, { code: 500, errno: 999 });
    assert.equal(await status(kinto, `/v1/buckets/${id}`), 403, 'the bucket was never created');
  });

  test('a 409 rolls back the sub-requests before it; the batch goes on and answers 200', async (t) => {
    const kinto = await server(t, settings, true);
    const [before, after] = [unique(), unique()];
    const list = await responses(kinto, {
      requests: [{ method: 'PUT', path: `/buckets/${before}` }, { method: 'POST', path: '/conflict' }, { method: 'PUT', path: `/buckets/${after}` }],
    });
    assert.deepEqual(list.map((r) => r.status), [201, 409, 201]);
    assert.equal(await status(kinto, `/v1/buckets/${before}`), 403, 'rolled back');
    assert.equal(await status(kinto, `/v1/buckets/${after}`), 200, 'committed');
  });

  test('other 4xx sub-responses undo nothing', async (t) => {
    const kinto = await server(t, settings, true);
    const id = unique();
    const list = await responses(kinto, {
      requests: [
        { method: 'PUT', path: `/buckets/${id}` },
        { method: 'PUT', path: `/buckets/${id}/collections/c`, body: { data: { schema: { type: 'Washmachine' } } } },
        { method: 'PUT', path: `/buckets/${id}/collections/c` },
      ],
    });
    assert.deepEqual(list.map((r) => r.status), [201, 400, 201]);
    assert.equal(await status(kinto, `/v1/buckets/${id}/collections/c`), 200);
    await kinto.app.inject({ method: 'DELETE', url: `/v1/buckets/${id}`, headers: { authorization: MAT } });
  });
});
