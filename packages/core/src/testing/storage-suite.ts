// The storage backend suite (STYLE §2, Kinto's `kinto/core/storage/testing.py`): one
// set of behaviours every Storage must show, run once per backend. A backend's test
// file passes node:test's `test` and a factory returning a fresh, empty backend:
//
//   storageSuite(test, async () => new MemoryStorage());
//
// Timestamps (kinto-api.md §5.1), CRUD, tombstones, cascades with `*` parents,
// purge and counts are here; filters, sorting and pagination in storage-query-suite.ts.
import assert from 'node:assert/strict';
import type { test as nodeTest } from 'node:test';
import { ObjectNotFoundError, UnicityError, type KintoObject, type Storage } from '../storage/index.js';
import { storageQuerySuite } from './storage-query-suite.js';

export type TestFunction = typeof nodeTest;

export interface SuiteOptions {
  /** A skip message (service absent), or false to run. */
  skip?: string | false;
}

export type StorageFactory = () => Storage | Promise<Storage>;

/** Wraps a test body: a fresh backend from the factory, closed afterwards. */
export function withBackend<B extends { close(): Promise<void> }>(factory: () => B | Promise<B>, body: (backend: B) => Promise<void>) {
  return async () => {
    const backend = await factory();
    try {
      await body(backend);
    } finally {
      await backend.close();
    }
  };
}

const R = 'record';
const P = '/buckets/b1/collections/c1';

async function fill(storage: Storage, count: number, parent = P): Promise<KintoObject[]> {
  const out: KintoObject[] = [];
  for (let i = 0; i < count; i++) out.push(await storage.create(R, parent, { id: `r${i}`, n: i }));
  return out;
}

export function storageSuite(test: TestFunction, factory: StorageFactory, options: SuiteOptions = {}): void {
  const it = (name: string, body: (storage: Storage) => Promise<void>) =>
    test(`storage: ${name}`, { skip: options.skip ?? false }, withBackend(factory, body));

  it('answers its heartbeat', async (storage) => {
    assert.equal(await storage.heartbeat(), true);
  });

  // §5.1 — timestamps
  it('fixes the timestamp of an empty list at its first read, until the first write', async (storage) => {
    const first = await storage.resourceTimestamp(R, P);
    assert.equal(await storage.resourceTimestamp(R, P), first);
    const created = await storage.create(R, P, { id: 'a' });
    assert.ok(created.last_modified > first);
    assert.equal(await storage.resourceTimestamp(R, P), created.last_modified);
  });

  it('keeps server-assigned timestamps strictly increasing within a list, even in one millisecond', async (storage) => {
    const created = await fill(storage, 30);
    for (let i = 1; i < created.length; i++) assert.ok(created[i]!.last_modified > created[i - 1]!.last_modified);
    assert.equal(await storage.resourceTimestamp(R, P), created.at(-1)!.last_modified);
  });

  it('keeps timestamps distinct under concurrent writers of one list', async (storage) => {
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => storage.create(R, P, { id: `c${i}` })));
    const stamps = new Set(created.map((o) => o.last_modified));
    assert.equal(stamps.size, created.length);
    assert.equal(await storage.resourceTimestamp(R, P), Math.max(...stamps));
  });

  it('uses a client-provided timestamp above the list timestamp as the new list timestamp', async (storage) => {
    const a = await storage.create(R, P, { id: 'a' });
    const wanted = a.last_modified + 100_000;
    const b = await storage.create(R, P, { id: 'b', last_modified: wanted });
    assert.equal(b.last_modified, wanted);
    assert.equal(await storage.resourceTimestamp(R, P), wanted);
    const c = await storage.create(R, P, { id: 'c' });
    assert.ok(c.last_modified > wanted);
  });

  it('keeps a past client-provided timestamp without moving the list timestamp', async (storage) => {
    const a = await storage.create(R, P, { id: 'a' });
    const b = await storage.create(R, P, { id: 'b', last_modified: a.last_modified - 5000 });
    assert.equal(b.last_modified, a.last_modified - 5000);
    assert.equal(await storage.resourceTimestamp(R, P), a.last_modified);
  });

  it('bumps a client-provided timestamp equal to the list timestamp', async (storage) => {
    const a = await storage.create(R, P, { id: 'a' });
    const b = await storage.create(R, P, { id: 'b', last_modified: a.last_modified });
    // Like a server-assigned one: the later of now and list timestamp + 1.
    assert.ok(b.last_modified > a.last_modified);
    assert.equal(await storage.resourceTimestamp(R, P), b.last_modified);
  });

  it('ignores a provided timestamp not above the replaced object own one', async (storage) => {
    const a = await storage.create(R, P, { id: 'a', title: 'x' });
    await storage.create(R, P, { id: 'b' });
    const updated = await storage.update(R, P, 'a', { title: 'y', last_modified: a.last_modified });
    assert.ok(updated.last_modified > a.last_modified);
    assert.equal((await storage.get(R, P, 'a')).last_modified, updated.last_modified);
  });

  it('keeps timestamps per list', async (storage) => {
    const before = await storage.resourceTimestamp(R, '/buckets/b1/collections/other');
    await fill(storage, 3);
    assert.equal(await storage.resourceTimestamp(R, '/buckets/b1/collections/other'), before);
  });

  // CRUD
  it('creates and reads objects, with id and last_modified and no deleted flag', async (storage) => {
    const created = await storage.create(R, P, { id: 'a', title: 'x', nested: { k: [1, 2] }, deleted: false });
    assert.equal(created.id, 'a');
    assert.equal(typeof created.last_modified, 'number');
    assert.equal('deleted' in created, false);
    const read = await storage.get(R, P, 'a');
    assert.deepEqual(read, { id: 'a', title: 'x', nested: { k: [1, 2] }, last_modified: created.last_modified });
    // A backend may hand out read-only objects (the memory one returns its frozen
    // objects): changing one then throws; either way the stored object never changes.
    for (const returned of [created, read, ...(await storage.listAll(R, P))]) {
      try {
        (returned.nested as { k: number[] }).k.push(3);
        returned.title = 'changed';
      } catch (error) {
        assert.ok(error instanceof TypeError);
      }
    }
    assert.deepEqual(await storage.get(R, P, 'a'), { id: 'a', title: 'x', nested: { k: [1, 2] }, last_modified: created.last_modified });
  });

  it('keeps no reference to the objects it was given', async (storage) => {
    const given = { id: 'a', title: 'x', nested: { k: [1, 2] } };
    await storage.create(R, P, given);
    given.nested.k.push(3);
    given.title = 'changed';
    const update = { title: 'y', nested: { k: [4] } };
    await storage.update(R, P, 'b', update);
    update.nested.k.push(5);
    assert.deepEqual((await storage.get(R, P, 'a')).nested, { k: [1, 2] });
    assert.equal((await storage.get(R, P, 'a')).title, 'x');
    assert.deepEqual((await storage.get(R, P, 'b')).nested, { k: [4] });
  });

  it('refuses to create an existing object, but replaces a tombstone', async (storage) => {
    await storage.create(R, P, { id: 'a', title: 'x' });
    await assert.rejects(storage.create(R, P, { id: 'a' }), (error: unknown) => {
      assert.ok(error instanceof UnicityError);
      assert.equal(error.existing.title, 'x');
      return true;
    });
    await storage.delete(R, P, 'a');
    const again = await storage.create(R, P, { id: 'a', title: 'z' });
    assert.equal((await storage.get(R, P, 'a')).title, 'z');
    assert.equal(again.title, 'z');
  });

  it('answers ObjectNotFoundError for absent objects and tombstones', async (storage) => {
    await assert.rejects(storage.get(R, P, 'nope'), ObjectNotFoundError);
    await storage.create(R, P, { id: 'a' });
    await storage.delete(R, P, 'a');
    await assert.rejects(storage.get(R, P, 'a'), ObjectNotFoundError);
    await assert.rejects(storage.delete(R, P, 'a'), ObjectNotFoundError);
    await assert.rejects(storage.delete(R, P, 'nope'), ObjectNotFoundError);
  });

  it('updates by creating or replacing the whole object', async (storage) => {
    const created = await storage.update(R, P, 'a', { title: 'x', extra: 1 });
    assert.deepEqual(await storage.get(R, P, 'a'), { id: 'a', title: 'x', extra: 1, last_modified: created.last_modified });
    const replaced = await storage.update(R, P, 'a', { id: 'ignored', title: 'y' });
    assert.equal(replaced.id, 'a');
    assert.ok(replaced.last_modified > created.last_modified);
    assert.deepEqual(await storage.get(R, P, 'a'), { id: 'a', title: 'y', last_modified: replaced.last_modified });
  });

  it('deletes into a tombstone with a newer timestamp', async (storage) => {
    const a = await storage.create(R, P, { id: 'a', title: 'x' });
    const tombstone = await storage.delete(R, P, 'a');
    assert.deepEqual(Object.keys(tombstone).sort(), ['deleted', 'id', 'last_modified']);
    assert.equal(tombstone.deleted, true);
    assert.ok(tombstone.last_modified > a.last_modified);
    assert.equal(await storage.resourceTimestamp(R, P), tombstone.last_modified);
    const listed = await storage.listAll(R, P, { includeDeleted: true });
    assert.deepEqual(listed, [{ id: 'a', last_modified: tombstone.last_modified, deleted: true }]);
  });

  it('uses a provided deletion timestamp above the object one', async (storage) => {
    const a = await storage.create(R, P, { id: 'a' });
    const tombstone = await storage.delete(R, P, 'a', { lastModified: a.last_modified + 50_000 });
    assert.equal(tombstone.last_modified, a.last_modified + 50_000);
  });

  it('deletes without tombstone when asked, returning the deleted object', async (storage) => {
    await storage.create(R, P, { id: 'a', title: 'x' });
    const deleted = await storage.delete(R, P, 'a', { withDeleted: false });
    assert.equal(deleted.id, 'a');
    assert.equal(deleted.title, 'x');
    assert.deepEqual(await storage.listAll(R, P, { includeDeleted: true }), []);
  });

  // Tombstones, cascades, purge, counts
  it('lists and counts live objects only, unless tombstones are asked for', async (storage) => {
    await fill(storage, 4);
    await storage.delete(R, P, 'r1');
    assert.deepEqual((await storage.listAll(R, P)).map((o) => o.id).sort(), ['r0', 'r2', 'r3']);
    assert.equal(await storage.countAll(R, P), 3);
    const all = await storage.listAll(R, P, { includeDeleted: true });
    assert.equal(all.length, 4);
    assert.deepEqual(all.find((o) => o.id === 'r1')?.deleted, true);
  });

  it('deletes every matching object of a list into tombstones', async (storage) => {
    await fill(storage, 5);
    const deleted = await storage.deleteAll(R, P, { filters: [{ field: 'n', operator: 'min', value: 3 }] });
    assert.deepEqual(deleted.map((o) => o.id).sort(), ['r3', 'r4']);
    assert.ok(deleted.every((o) => o.deleted === true));
    assert.equal(await storage.countAll(R, P), 3);
    assert.equal((await storage.listAll(R, P, { includeDeleted: true })).length, 5);
    assert.equal(await storage.resourceTimestamp(R, P), Math.max(...deleted.map((o) => o.last_modified)));
  });

  it('deletes the first objects of a sorted list when given a limit', async (storage) => {
    await fill(storage, 5);
    const deleted = await storage.deleteAll(R, P, { sorting: [{ field: 'n', direction: -1 }], limit: 2 });
    assert.deepEqual(deleted.map((o) => o.id).sort(), ['r3', 'r4']);
  });

  it('cascades over every list matching a `*` parent, and those lists start fresh', async (storage) => {
    await fill(storage, 2, '/buckets/b1/collections/c1');
    await fill(storage, 2, '/buckets/b1/collections/c2');
    await fill(storage, 2, '/buckets/b2/collections/c1');
    await storage.delete(R, '/buckets/b1/collections/c2', 'r0');
    const listed = await storage.listAll(R, '/buckets/b1/collections/*');
    assert.equal(listed.length, 3);
    const deleted = await storage.deleteAll(R, '/buckets/b1/collections/*', { withDeleted: false });
    assert.equal(deleted.length, 3);
    assert.deepEqual(await storage.listAll(R, '/buckets/b1/collections/*', { includeDeleted: true }), []);
    assert.equal(await storage.countAll(R, '/buckets/b2/collections/c1'), 2);
  });

  it('treats `%` and `_` of parent ids literally', async (storage) => {
    await fill(storage, 1, '/buckets/b_1/collections/c');
    await fill(storage, 1, '/buckets/bx1/collections/c');
    assert.equal((await storage.listAll(R, '/buckets/b_1/*')).length, 1);
    assert.equal((await storage.listAll(R, '/buckets/b%/*')).length, 0);
  });

  it('purges tombstones, all or older than a timestamp, without moving the list timestamp', async (storage) => {
    const objects = await fill(storage, 4);
    const t1 = await storage.delete(R, P, 'r0');
    await storage.delete(R, P, 'r1');
    const listTs = await storage.resourceTimestamp(R, P);
    assert.equal(await storage.purgeDeleted(R, P, { before: t1.last_modified + 1 }), 1);
    assert.deepEqual((await storage.listAll(R, P, { includeDeleted: true })).filter((o) => o.deleted).map((o) => o.id), ['r1']);
    assert.equal(await storage.purgeDeleted(R, P), 1);
    assert.equal(await storage.countAll(R, P), objects.length - 2);
    assert.equal(await storage.resourceTimestamp(R, P), listTs);
  });

  it('purges tombstones beyond the newest N of each list', async (storage) => {
    for (const parent of ['/buckets/b/collections/x', '/buckets/b/collections/y']) {
      await fill(storage, 4, parent);
      for (const id of ['r0', 'r1', 'r2']) await storage.delete(R, parent, id);
    }
    assert.equal(await storage.purgeDeleted(R, '/buckets/b/collections/*', { maxRetained: 1 }), 4);
    for (const parent of ['/buckets/b/collections/x', '/buckets/b/collections/y']) {
      const left = (await storage.listAll(R, parent, { includeDeleted: true })).filter((o) => o.deleted);
      assert.deepEqual(left.map((o) => o.id), ['r2']);
    }
  });

  it('counts with filters', async (storage) => {
    await fill(storage, 6);
    assert.equal(await storage.countAll(R, P, [{ field: 'n', operator: 'lt', value: 4 }]), 4);
    assert.equal(await storage.countAll(R, P, [{ field: 'n', operator: 'in', value: [1, 5, 9] }]), 2);
    assert.equal(await storage.countAll(R, '/buckets/b1/collections/none'), 0);
  });

  it('keeps resources apart in one parent', async (storage) => {
    await storage.create('collection', '/buckets/b1', { id: 'c1' });
    await storage.create('group', '/buckets/b1', { id: 'c1' });
    await storage.deleteAll('group', '/buckets/b1');
    assert.equal(await storage.countAll('collection', '/buckets/b1'), 1);
  });

  it('flushes everything', async (storage) => {
    await fill(storage, 3);
    await storage.flush();
    assert.deepEqual(await storage.listAll(R, P, { includeDeleted: true }), []);
  });

  storageQuerySuite(test, factory, options);
}
