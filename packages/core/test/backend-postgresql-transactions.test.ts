// PostgreSQL beyond the shared suite: request transactions spanning storage and
// permission, savepoints, concurrent conditional writers, and how failures map to
// Kinto's errors (503 errno 201, 409 errno 122, 400 — never a 500).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { BackendError, KintoError } from '../src/errors.js';
import { PostgreSQLPermission } from '../src/permission/postgresql/index.js';
import { PostgreSQLStorage } from '../src/storage/postgresql/index.js';
import { createTestDatabase, serviceSkip } from '../src/testing/index.js';
import { runInTransaction } from '../src/transaction.js';

const skip = await serviceSkip('postgresql');
const db = skip ? undefined : await createTestDatabase('backend_pg_tx');
after(() => db?.drop());
const options = { url: db?.url ?? '', setting: 'storage_url' };
if (db) {
  for (const backend of [new PostgreSQLStorage(options), new PostgreSQLPermission(options)]) {
    await backend.migrate();
    await backend.close();
  }
}

const R = 'record';
const P = '/buckets/b/collections/c';

/** Storage and permission on one database, emptied; closed after the test. */
async function backends(t: { after(fn: () => Promise<void>): void }) {
  const registry = { storage: new PostgreSQLStorage(options), permission: new PostgreSQLPermission(options) };
  await registry.storage.flush();
  await registry.permission.flush();
  t.after(async () => {
    await registry.storage.close();
    await registry.permission.close();
  });
  return registry;
}

const isConflict = (error: unknown) => error instanceof KintoError && error.status === 409 && error.errno === 122;

test('a transaction commits storage and permission writes together, or neither', { skip }, async (t) => {
  const registry = await backends(t);
  assert.equal(registry.storage.client, registry.permission.client, 'one URL, one pool');
  await runInTransaction(registry, async () => {
    await registry.storage.create(R, P, { id: 'kept' });
    await registry.permission.addPrincipalToAce(`${P}/records/kept`, 'write', 'alice');
  });
  await assert.rejects(
    runInTransaction(registry, async () => {
      await registry.storage.create(R, P, { id: 'lost' });
      await registry.permission.addPrincipalToAce(`${P}/records/lost`, 'write', 'alice');
      throw new Error('the request failed');
    }),
    /the request failed/,
  );
  assert.deepEqual((await registry.storage.listAll(R, P)).map((o) => o.id), ['kept']);
  assert.deepEqual(Object.keys(await registry.permission.getAccessibleObjects(['alice'])), [`${P}/records/kept`]);
});

test('a failing nested transaction (a batch sub-request) undoes only its own writes', { skip }, async (t) => {
  const registry = await backends(t);
  await runInTransaction(registry, async () => {
    await registry.storage.create(R, P, { id: 'first' });
    await assert.rejects(
      runInTransaction(registry, async () => {
        await registry.storage.create(R, P, { id: 'second' });
        await registry.storage.create(R, P, { id: 'first' });
      }),
    );
    // The transaction is still usable after the failed sub-request.
    await runInTransaction(registry, () => registry.storage.create(R, P, { id: 'third' }));
  });
  assert.deepEqual((await registry.storage.listAll(R, P)).map((o) => o.id).sort(), ['first', 'third']);
});

test('a database error inside a nested transaction leaves the outer one usable', { skip }, async (t) => {
  const registry = await backends(t);
  const a = await registry.storage.create(R, P, { id: 'a' });
  await runInTransaction(registry, async () => {
    // A client-provided timestamp equal to another object's: the unique index refuses it.
    await assert.rejects(
      runInTransaction(registry, () => registry.storage.create(R, P, { id: 'clash', last_modified: a.last_modified - 10 }).then(() =>
        registry.storage.create(R, P, { id: 'clash2', last_modified: a.last_modified - 10 }),
      )),
      isConflict,
    );
    await registry.storage.create(R, P, { id: 'after' });
  });
  assert.deepEqual((await registry.storage.listAll(R, P)).map((o) => o.id).sort(), ['a', 'after']);
});

/** Resolves when `count` callers have arrived: lets two transactions interleave deterministically. */
function barrier(count: number) {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return async () => {
    if (++arrived === count) release();
    await all;
  };
}

test('of two writers that read the same object (If-Match), exactly one wins', { skip }, async (t) => {
  const registry = await backends(t);
  const initial = await registry.storage.create(R, P, { id: 'r', title: 'v0' });
  for (const round of [1, 2, 3]) {
    const bothRead = barrier(2);
    const writer = (title: string) =>
      runInTransaction(registry, async () => {
        const current = await registry.storage.get(R, P, 'r');
        await bothRead();
        return registry.storage.update(R, P, 'r', { ...current, title });
      });
    const results = await Promise.allSettled([writer(`a${round}`), writer(`b${round}`)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1, `round ${round}`);
    assert.ok(isConflict((lost[0] as PromiseRejectedResult).reason));
    const stored = await registry.storage.get(R, P, 'r');
    assert.equal(stored.title, (won[0] as PromiseFulfilledResult<Record<string, unknown>>).value.title);
    assert.ok(stored.last_modified > initial.last_modified);
  }
});

test('of two writers that found an object absent (If-None-Match: *), exactly one creates it', { skip }, async (t) => {
  const registry = await backends(t);
  const bothRead = barrier(2);
  const creator = (title: string) =>
    runInTransaction(registry, async () => {
      await registry.storage.get(R, P, 'new').catch(() => null);
      await bothRead();
      return registry.storage.update(R, P, 'new', { title });
    });
  const results = await Promise.allSettled([creator('a'), creator('b')]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.ok(isConflict((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason));
});

test('a delete of an object changed since it was read is refused', { skip }, async (t) => {
  const registry = await backends(t);
  await registry.storage.create(R, P, { id: 'r' });
  await assert.rejects(
    runInTransaction(registry, async () => {
      await registry.storage.get(R, P, 'r');
      // A concurrent writer: another connection changes the row meanwhile.
      await registry.storage.client.direct(`UPDATE objects SET data = '{"title": "other"}' WHERE id = 'r'`);
      await registry.storage.delete(R, P, 'r');
    }),
    isConflict,
  );
  assert.equal((await registry.storage.get(R, P, 'r')).title, 'other');
});

test('concurrent transactions writing one list keep distinct, increasing timestamps, none failing', { skip }, async (t) => {
  const registry = await backends(t);
  // Without the list lock, about 40% of these collide on the unique timestamp index.
  for (let round = 0; round < 3; round++) {
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => runInTransaction(registry, () => registry.storage.create(R, P, { id: `r${round}-${i}` }))),
    );
    assert.deepEqual(results.filter((r) => r.status === 'rejected'), []);
  }
  const all = await registry.storage.listAll(R, P);
  assert.equal(new Set(all.map((o) => o.last_modified)).size, 300);
  assert.equal(await registry.storage.resourceTimestamp(R, P), Math.max(...all.map((o) => o.last_modified)));
});

test('values PostgreSQL cannot store are a 400, not a 500', { skip }, async (t) => {
  const registry = await backends(t);
  await assert.rejects(registry.storage.create(R, P, { id: 'nul', title: 'a\u0000b' }), (error: unknown) => {
    assert.ok(error instanceof KintoError);
    assert.equal(error.status, 400);
    assert.equal(error.errno, 107);
    return true;
  });
  assert.deepEqual(await registry.storage.listAll(R, P), []);
});

test('an unreachable server is a BackendError (503), and the heartbeats say false', { skip }, async (t) => {
  const down = { url: 'postgresql://postgres@127.0.0.1:1/nothing', setting: 'storage_url', poolTimeout: 2 };
  const storage = new PostgreSQLStorage(down);
  const permission = new PostgreSQLPermission(down);
  t.after(async () => {
    await storage.close();
    await permission.close();
  });
  await assert.rejects(storage.listAll(R, P), BackendError);
  await assert.rejects(storage.create(R, P, { id: 'x' }), BackendError);
  await assert.rejects(runInTransaction({ storage, permission }, async () => undefined), BackendError);
  assert.equal(await storage.heartbeat(), false);
  assert.equal(await permission.heartbeat(), false);
});

test('a read-only server refuses to initialise an empty list timestamp with a 503', { skip }, async (t) => {
  const writable = await backends(t);
  await writable.storage.create(R, P, { id: 'a' });
  const readonly = new PostgreSQLStorage({ ...options, readonly: true });
  t.after(() => readonly.close());
  assert.ok((await readonly.resourceTimestamp(R, P)) > 0);
  await assert.rejects(readonly.resourceTimestamp(R, '/buckets/b/collections/never'), (error: unknown) => {
    assert.ok(error instanceof KintoError);
    assert.equal(error.status, 503);
    assert.equal(error.errno, 201);
    assert.match(error.message, /Plural endpoint must be hit at least once from a writable instance/);
    return true;
  });
  assert.equal(await readonly.heartbeat(), true);
});
