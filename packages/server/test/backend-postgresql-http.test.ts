// The Kinto server on PostgreSQL, over HTTP (issue #8): an existing Kinto database
// served as it is, one transaction per writing request, exactly one winner among
// conditional writers, and a database outage answered 503 errno 201 with
// Retry-After — recovering by itself — never a 500 nor a partial write.
import assert from 'node:assert/strict';
import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import { after, test, type TestContext } from 'node:test';
import { createTestDatabase, installKintoSchema, runSql, serviceSkip, testSettings, type TestDatabase } from '@kinto-ts/core/testing';
import { conflict, type PostgreSQLStorage } from '@kinto-ts/core';
import { createServer } from '../src/app.js';
import { A, A_ID, clientOf, type Client } from './resource-helpers.js';

const skip = await serviceSkip('postgresql');
const databases: TestDatabase[] = [];
after(() => Promise.all(databases.map((d) => d.drop())));

/** A database with Kinto 26's schema, created by Kinto's own statements. */
async function kintoDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('server_pg_http');
  databases.push(db);
  await installKintoSchema({ query: (sql) => runSql(db.url, sql) });
  return db;
}

async function server(t: TestContext, url: string, values: Record<string, unknown> = {}): Promise<Client> {
  const settings = testSettings({
    storage_backend: 'kinto.core.storage.postgresql',
    storage_url: url,
    permission_backend: 'kinto.core.permission.postgresql',
    permission_url: url,
    storage_pool_timeout: 3,
    ...values,
  });
  const kinto = await createServer(settings, { logger: false });
  t.after(() => kinto.close());
  return clientOf(kinto);
}

test('an existing Kinto database is served as it is', { skip }, async (t) => {
  const db = await kintoDatabase();
  // What Python Kinto stored: data without id/last_modified, tombstones, ACEs.
  await runSql(
    db.url,
    `INSERT INTO objects (id, parent_id, resource_name, last_modified, data, deleted) VALUES
      ('b1', '', 'bucket', from_epoch(1600000000000), '{}', FALSE),
      ('c1', '/buckets/b1', 'collection', from_epoch(1600000000100), '{}', FALSE),
      ('r1', '/buckets/b1/collections/c1', 'record', from_epoch(1600000001000), '{"title": "one", "n": 1}', FALSE),
      ('r2', '/buckets/b1/collections/c1', 'record', from_epoch(1600000002000), '{"title": "two", "n": 2}', FALSE),
      ('r3', '/buckets/b1/collections/c1', 'record', from_epoch(1600000003000), '{"deleted": true}', TRUE)`,
  );
  await runSql(db.url, `INSERT INTO access_control_entries (object_id, permission, principal) VALUES ('/buckets/b1', 'write', $1)`, [A_ID]);
  const api = await server(t, db.url);

  const list = await api.get('/v1/buckets/b1/collections/c1/records');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.data, [
    { id: 'r2', last_modified: 1600000002000, title: 'two', n: 2 },
    { id: 'r1', last_modified: 1600000001000, title: 'one', n: 1 },
  ]);
  assert.equal(list.headers.etag, '"1600000003000"');
  assert.deepEqual((await api.get('/v1/buckets/b1/collections/c1/records?n=2')).body.data.map((r: { id: string }) => r.id), ['r2']);
  assert.deepEqual((await api.get('/v1/buckets/b1/collections/c1/records?_since=1600000001000')).body.data, [
    { id: 'r3', last_modified: 1600000003000, deleted: true },
    { id: 'r2', last_modified: 1600000002000, title: 'two', n: 2 },
  ]);
  const bucket = await api.get('/v1/buckets/b1');
  assert.deepEqual(bucket.body, { data: { id: 'b1', last_modified: 1600000000000 }, permissions: { write: [A_ID] } });

  const created = await api.put('/v1/buckets/b1/collections/c1/records/r4', { data: { title: 'four' } });
  assert.equal(created.status, 201);
  assert.ok(created.body.data.last_modified > 1600000003000);
  const [row] = await runSql<{ data: unknown }>(db.url, `SELECT data FROM objects WHERE id = 'r4'`);
  assert.deepEqual(row?.data, { title: 'four' }, 'stored as Python Kinto stores it');
});

test('a writing request is one transaction: a failure after the write leaves neither object nor ACL', { skip }, async (t) => {
  const db = await kintoDatabase();
  const api = await server(t, db.url);
  await api.put('/v1/buckets/b1', {});
  api.kinto.registry.events.on('ResourceChanged', () => {
    throw conflict('a subscriber refused the change');
  }, { resources: ['collection'] });
  const failed = await api.put('/v1/buckets/b1/collections/c1', { data: {}, permissions: { read: ['system.Everyone'] } });
  assert.equal(failed.status, 409);
  assert.equal((await api.get('/v1/buckets/b1/collections/c1')).status, 404);
  const acl = await api.kinto.registry.permission.getObjectPermissions('/buckets/b1/collections/c1');
  assert.deepEqual(acl, {});
});

test('of concurrent PUTs with the same If-Match, exactly one wins', { skip }, async (t) => {
  const db = await kintoDatabase();
  const api = await server(t, db.url);
  await api.put('/v1/buckets/b1', {});
  await api.put('/v1/buckets/b1/collections/c1', {});
  let record = (await api.put('/v1/buckets/b1/collections/c1/records/r', { data: { v: 0 } })).body.data;
  for (let round = 1; round <= 5; round++) {
    const etag = `"${record.last_modified}"`;
    const replies = await Promise.all(
      ['a', 'b', 'c'].map((who) => api.put('/v1/buckets/b1/collections/c1/records/r', { data: { v: round, who } }, { headers: { 'if-match': etag } })),
    );
    const winners = replies.filter((r) => r.status === 200);
    assert.equal(winners.length, 1, `round ${round}: ${replies.map((r) => r.status)}`);
    for (const loser of replies.filter((r) => r.status !== 200)) assert.ok([409, 412].includes(loser.status), String(loser.status));
    record = (await api.get('/v1/buckets/b1/collections/c1/records/r')).body.data;
    assert.equal(record.who, winners[0]!.body.data.who);
  }
});

test('concurrent creations in one collection all succeed with distinct timestamps', { skip }, async (t) => {
  const db = await kintoDatabase();
  const api = await server(t, db.url);
  await api.put('/v1/buckets/b1', {});
  await api.put('/v1/buckets/b1/collections/c1', {});
  const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => api.post('/v1/buckets/b1/collections/c1/records', { data: { i } })));
  assert.deepEqual([...new Set(replies.map((r) => r.status))], [201]);
  assert.equal(new Set(replies.map((r) => r.body.data.last_modified)).size, 60);
});

/** A TCP relay to PostgreSQL that the test can cut (an outage) and restore. */
async function relay(t: TestContext): Promise<{ port: number; down(): Promise<void>; up(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let listener: Server;
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      listener = createTcpServer((client) => {
        const upstream = connect(5432, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      listener.listen(port, '127.0.0.1', () => resolve((listener.address() as { port: number }).port));
    });
  const port = await listen(0);
  const down = async () => {
    await new Promise<void>((resolve) => {
      listener.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };
  t.after(() => (listener.listening ? down() : undefined));
  return { port, down, up: async () => void (await listen(port)) };
}

test('PostgreSQL down: 503 errno 201 with Retry-After, heartbeat false; back: recovers by itself', { skip }, async (t) => {
  const db = await kintoDatabase();
  const link = await relay(t);
  const url = new URL(db.url);
  url.port = String(link.port);
  const api = await server(t, url.toString());
  assert.equal((await api.put('/v1/buckets/b1', {})).status, 201);

  await link.down();
  for (const reply of [await api.get('/v1/buckets/b1'), await api.put('/v1/buckets/b2', {}), await api.get('/v1/buckets')]) {
    assert.equal(reply.status, 503, reply.text);
    assert.equal(reply.body.errno, 201);
    assert.equal(reply.headers['retry-after'], '3');
  }
  const heartbeat = await api.get('/v1/__heartbeat__', { auth: null });
  assert.equal(heartbeat.status, 503);
  assert.equal(heartbeat.body.storage, false);
  assert.equal(heartbeat.body.permission, false);

  await link.up();
  assert.equal((await api.get('/v1/buckets/b1')).status, 200);
  assert.equal((await api.put('/v1/buckets/b2', {})).status, 201);
  assert.deepEqual((await api.get('/v1/__heartbeat__', { auth: null })).body, { storage: true, permission: true, cache: true });
});

test('a connection lost in the middle of a request: 503 and nothing written', { skip }, async (t) => {
  const db = await kintoDatabase();
  const api = await server(t, db.url);
  await api.put('/v1/buckets/b1', {});
  await api.put('/v1/buckets/b1/collections/c1', {});
  let armed = true;
  api.kinto.registry.events.on('ResourceChanged', async () => {
    if (!armed) return;
    armed = false;
    // The record is written, not committed: the server loses this connection now.
    const storage = api.kinto.registry.storage as unknown as PostgreSQLStorage;
    await storage.client.query('SELECT pg_terminate_backend(pg_backend_pid())');
  });
  const reply = await api.put('/v1/buckets/b1/collections/c1/records/r1', { data: { title: 'lost' } }, { headers: { authorization: A } });
  assert.equal(reply.status, 503, reply.text);
  assert.equal(reply.body.errno, 201);
  assert.equal((await api.get('/v1/buckets/b1/collections/c1/records/r1')).status, 404);
  assert.equal((await api.put('/v1/buckets/b1/collections/c1/records/r1', { data: { title: 'kept' } })).status, 201);
});
