// Filters, sorting and keyset pagination every storage backend must evaluate alike
// (kinto-api.md §6.2–§6.4), part of storageSuite (storage-suite.ts).
import assert from 'node:assert/strict';
import { COMPARISON, type Comparison, type Filter, type KintoObject, type Sort, type Storage } from '../storage/index.js';
import { withBackend, type StorageFactory, type SuiteOptions, type TestFunction } from './storage-suite.js';

const R = 'record';
const P = '/buckets/b1/collections/query';

/** Created in this order, so their timestamps increase from a to e. */
const FIXTURE: Array<Record<string, unknown> & { id: string }> = [
  { id: 'a', n: 1, s: 'apple', b: true, tags: ['x', 'y'], nested: { v: 1 }, nul: null },
  { id: 'b', n: 2, s: 'Banana', b: false, tags: ['y'], nested: { v: 2 } },
  { id: 'c', n: '2', s: 'cherry_pie', tags: 'x', 'dotted.key': 5, nested: { v: { w: 3 } } },
  { id: 'd', n: 10, s: 'date', b: true, tags: [], deep: { 'x.y': { z: 1 } } },
  { id: 'e' },
];

async function load(storage: Storage): Promise<Map<string, KintoObject>> {
  const byId = new Map<string, KintoObject>();
  for (const obj of FIXTURE) byId.set(obj.id, await storage.create(R, P, obj));
  return byId;
}

async function ids(storage: Storage, filters: Filter[]): Promise<string[]> {
  return (await storage.listAll(R, P, { filters })).map((o) => o.id).sort();
}

const f = (field: string, operator: Comparison, value: unknown): Filter => ({ field, operator, value });

/** Keyset rules after `last` for `sorting`, as the resource layer builds them (§6.4); a missing value is undefined. */
function rulesAfter(last: KintoObject, sorting: Sort[]): Filter[][] {
  return sorting.map((sort, i) => [
    ...sorting.slice(0, i).map((prev) => f(prev.field, COMPARISON.EQ, last[prev.field])),
    f(sort.field, sort.direction > 0 ? COMPARISON.GT : COMPARISON.LT, last[sort.field]),
  ]);
}

export function storageQuerySuite(test: TestFunction, factory: StorageFactory, options: SuiteOptions = {}): void {
  const it = (name: string, body: (storage: Storage) => Promise<void>) =>
    test(`storage query: ${name}`, { skip: options.skip ?? false }, withBackend(factory, body));

  it('compares with JSON equality: 2 is not "2", objects compare whole', async (storage) => {
    await load(storage);
    assert.deepEqual(await ids(storage, [f('n', 'eq', 2)]), ['b']);
    assert.deepEqual(await ids(storage, [f('n', 'eq', '2')]), ['c']);
    assert.deepEqual(await ids(storage, [f('nested', 'eq', { v: 1 })]), ['a']);
    assert.deepEqual(await ids(storage, [f('nul', 'eq', null)]), ['a']);
    assert.deepEqual(await ids(storage, [f('n', 'not', 2)]), ['a', 'c', 'd', 'e']);
  });

  it('orders across types: null < string < number < boolean < array < object < missing', async (storage) => {
    await load(storage);
    assert.deepEqual(await ids(storage, [f('n', 'lt', 2)]), ['a', 'c']);
    assert.deepEqual(await ids(storage, [f('n', 'gt', 2)]), ['d', 'e']);
    assert.deepEqual(await ids(storage, [f('n', 'min', 2)]), ['b', 'd', 'e']);
    assert.deepEqual(await ids(storage, [f('n', 'max', 2)]), ['a', 'b', 'c']);
    assert.deepEqual(await ids(storage, [f('s', 'gt', 'b')]), ['c', 'd', 'e']);
    assert.deepEqual(await ids(storage, [f('tags', 'lt', true)]), ['c']);
  });

  it('filters with in_ and exclude_', async (storage) => {
    await load(storage);
    assert.deepEqual(await ids(storage, [f('n', 'in', [1, 10])]), ['a', 'd']);
    assert.deepEqual(await ids(storage, [f('n', 'exclude', [1, 10])]), ['b', 'c', 'e']);
    assert.deepEqual(await ids(storage, [f('n', 'in', [])]), []);
    assert.deepEqual(await ids(storage, [f('id', 'in', ['a', 'c', 'zz'])]), ['a', 'c']);
    assert.deepEqual(await ids(storage, [f('id', 'exclude', ['a', 'c'])]), ['b', 'd', 'e']);
  });

  it('matches like_ case-insensitively, `*` as wildcard, other characters literally', async (storage) => {
    await load(storage);
    assert.deepEqual(await ids(storage, [f('s', 'like', 'AN')]), ['b']);
    assert.deepEqual(await ids(storage, [f('s', 'like', 'a*')]), ['a']);
    assert.deepEqual(await ids(storage, [f('s', 'like', '*e')]), ['a', 'c', 'd']);
    assert.deepEqual(await ids(storage, [f('s', 'like', 'y_p')]), ['c']);
    assert.deepEqual(await ids(storage, [f('s', 'like', 'y%p')]), []);
    assert.deepEqual(await ids(storage, [f('n', 'like', '1')]), ['a', 'd']);
    assert.deepEqual(await ids(storage, [f('id', 'like', 'B')]), ['b']);
  });

  it('tells present fields (even null or false) from missing ones with has_', async (storage) => {
    await load(storage);
    assert.deepEqual(await ids(storage, [f('b', 'has', true)]), ['a', 'b', 'd']);
    assert.deepEqual(await ids(storage, [f('b', 'has', false)]), ['c', 'e']);
    assert.deepEqual(await ids(storage, [f('nul', 'has', true)]), ['a']);
  });

  it('matches arrays with contains_ (all values) and contains_any_ (one value)', async (storage) => {
    await load(storage);
    assert.deepEqual(await ids(storage, [f('tags', 'contains', ['x'])]), ['a']);
    assert.deepEqual(await ids(storage, [f('tags', 'contains', ['x', 'y'])]), ['a']);
    assert.deepEqual(await ids(storage, [f('tags', 'contains', 'y')]), ['a', 'b']);
    assert.deepEqual(await ids(storage, [f('tags', 'contains', [])]), ['a', 'b', 'd']);
    assert.deepEqual(await ids(storage, [f('tags', 'contains_any', ['x', 'z'])]), ['a']);
    assert.deepEqual(await ids(storage, [f('tags', 'contains_any', ['y'])]), ['a', 'b']);
    assert.deepEqual(await ids(storage, [f('tags', 'contains_any', [])]), []);
  });

  it('resolves dotted fields, longest existing key first', async (storage) => {
    await load(storage);
    assert.deepEqual(await ids(storage, [f('nested.v', 'eq', 1)]), ['a']);
    assert.deepEqual(await ids(storage, [f('nested.v.w', 'eq', 3)]), ['c']);
    assert.deepEqual(await ids(storage, [f('dotted.key', 'eq', 5)]), ['c']);
    assert.deepEqual(await ids(storage, [f('deep.x.y.z', 'eq', 1)]), ['d']);
    assert.deepEqual(await ids(storage, [f('nested.v', 'has', false)]), ['d', 'e']);
  });

  it('filters on id and last_modified', async (storage) => {
    const objects = await load(storage);
    const ts = (id: string) => objects.get(id)!.last_modified;
    assert.deepEqual(await ids(storage, [f('id', 'eq', 'b')]), ['b']);
    assert.deepEqual(await ids(storage, [f('id', 'lt', 'c')]), ['a', 'b']);
    assert.deepEqual(await ids(storage, [f('last_modified', 'gt', ts('b'))]), ['c', 'd', 'e']);
    assert.deepEqual(await ids(storage, [f('last_modified', 'lt', ts('b'))]), ['a']);
    assert.deepEqual(await ids(storage, [f('last_modified', 'min', ts('d'))]), ['d', 'e']);
    assert.deepEqual(await ids(storage, [f('last_modified', 'eq', ts('c'))]), ['c']);
    assert.deepEqual(await ids(storage, [f('last_modified', 'in', [ts('a'), ts('e')])]), ['a', 'e']);
    assert.deepEqual(await ids(storage, [f('last_modified', 'gt', ts('b')), f('n', 'eq', 10)]), ['d']);
  });

  it('includes tombstones matching last_modified filters when asked', async (storage) => {
    const objects = await load(storage);
    const tombstone = await storage.delete(R, P, 'a');
    const listed = await storage.listAll(R, P, { includeDeleted: true, filters: [f('last_modified', 'gt', objects.get('e')!.last_modified)] });
    assert.deepEqual(listed, [{ id: 'a', last_modified: tombstone.last_modified, deleted: true }]);
  });

  it('sorts across types with missing fields last, first when descending', async (storage) => {
    const values: unknown[] = [{ a: 1 }, [1], true, 3, 'str', null];
    for (const [i, v] of values.entries()) await storage.create(R, P, { id: `v${i}`, v });
    await storage.create(R, P, { id: 'missing' });
    const asc = await storage.listAll(R, P, { sorting: [{ field: 'v', direction: 1 }] });
    assert.deepEqual(asc.map((o) => o.id), ['v5', 'v4', 'v3', 'v2', 'v1', 'v0', 'missing']);
    const desc = await storage.listAll(R, P, { sorting: [{ field: 'v', direction: -1 }] });
    assert.deepEqual(desc.map((o) => o.id), ['missing', 'v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('sorts on several fields, id, last_modified and nested fields', async (storage) => {
    await load(storage);
    const order = async (sorting: Sort[]) => (await storage.listAll(R, P, { sorting })).map((o) => o.id);
    assert.deepEqual(await order([{ field: 'b', direction: 1 }, { field: 'id', direction: -1 }]), ['b', 'd', 'a', 'e', 'c']);
    assert.deepEqual(await order([{ field: 'last_modified', direction: -1 }]), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(await order([{ field: 'id', direction: 1 }]), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(await order([{ field: 'nested.v', direction: 1 }, { field: 'id', direction: 1 }]), ['a', 'b', 'c', 'd', 'e']);
  });

  it('limits results after sorting', async (storage) => {
    await load(storage);
    const page = await storage.listAll(R, P, { sorting: [{ field: 'last_modified', direction: -1 }], limit: 2 });
    assert.deepEqual(page.map((o) => o.id), ['e', 'd']);
  });

  it('applies pagination rules as an OR of AND-lists', async (storage) => {
    await load(storage);
    const rules = [[f('n', 'eq', 2), f('id', 'gt', 'a')], [f('n', 'eq', 10)]];
    assert.deepEqual((await storage.listAll(R, P, { paginationRules: rules })).map((o) => o.id).sort(), ['b', 'd']);
  });

  it('walks every object exactly once through keyset pages, objects missing the sort field included', async (storage) => {
    await load(storage);
    for (const sorting of [
      [{ field: 'n', direction: 1 }, { field: 'last_modified', direction: -1 }],
      [{ field: 'n', direction: -1 }, { field: 'last_modified', direction: -1 }],
      [{ field: 's', direction: 1 }, { field: 'last_modified', direction: 1 }],
    ] as Sort[][]) {
      const expected = (await storage.listAll(R, P, { sorting })).map((o) => o.id);
      const seen: string[] = [];
      let rules: Filter[][] | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = await storage.listAll(R, P, { sorting, paginationRules: rules, limit: 2 });
        seen.push(...page.map((o) => o.id));
        if (page.length < 2) break;
        rules = rulesAfter(page.at(-1)!, sorting);
      }
      assert.deepEqual(seen, expected, JSON.stringify(sorting));
    }
  });
}
