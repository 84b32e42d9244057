// Keyset pagination over the memory backend (kinto-api.md §6.3, §6.4): for any sort,
// with missing fields, nulls and ties, pages concatenate to exactly the sorted list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStorage, paginationRules, parseFilters, parseSorting, sortObjects, type KintoObject, type Sort } from '../src/index.js';

const VALUES: unknown[] = [null, 'a', 'b', 1, 2, true, false, [1], { k: 1 }];

function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

test('pages concatenate to the sorted list, for every sort and shape of data', async () => {
  const random = seeded(42);
  const storage = new MemoryStorage();
  for (let i = 0; i < 60; i++) {
    const object: Record<string, unknown> & { id: string } = { id: `o${i}` };
    for (const field of ['f', 'g']) {
      if (random() < 0.8) object[field] = VALUES[Math.floor(random() * VALUES.length)];
    }
    if (random() < 0.5) object.nested = { n: Math.floor(random() * 3) };
    await storage.create('thing', '', object);
  }
  const sorts: Sort[][] = [
    [{ field: 'last_modified', direction: -1 }],
    [{ field: 'f', direction: 1 }, { field: 'last_modified', direction: -1 }],
    [{ field: 'f', direction: -1 }, { field: 'last_modified', direction: -1 }],
    [{ field: 'f', direction: 1 }, { field: 'g', direction: -1 }, { field: 'last_modified', direction: 1 }],
    [{ field: 'nested.n', direction: -1 }, { field: 'last_modified', direction: -1 }],
    [{ field: 'missing', direction: 1 }, { field: 'last_modified', direction: -1 }],
  ];
  for (const sorting of sorts) {
    const all = await storage.listAll('thing', '', { sorting });
    for (const limit of [1, 4, 7]) {
      const seen: KintoObject[] = [];
      let last: KintoObject | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const rules = last ? paginationRules(sorting, tokenOf(sorting, last)) : undefined;
        const page = await storage.listAll('thing', '', { sorting, limit, paginationRules: rules });
        seen.push(...page);
        if (page.length < limit) break;
        last = page[page.length - 1];
      }
      assert.deepEqual(seen.map((o) => o.id), all.map((o) => o.id), `${JSON.stringify(sorting)} limit ${limit}`);
    }
  }
});

function tokenOf(sorting: Sort[], last: KintoObject): Record<string, unknown> {
  // What buildToken stores: the sort values present on the last object (JSON round trip).
  const out: Record<string, unknown> = {};
  for (const { field } of sorting) {
    const parts = field.split('.');
    let value: unknown = last;
    let present = true;
    for (const p of parts) {
      if (value && typeof value === 'object' && p in (value as object)) value = (value as Record<string, unknown>)[p];
      else present = false;
    }
    if (present) out[field] = value;
  }
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

test('querystring parsing: operators, typing and tie-breaker', () => {
  const query = new Map<string, string[]>([
    ['in_status', ['0,1,"x"']],
    ['contains_any_colors', ['["red"]']],
    ['has_x', ['0']],
    ['title', ['Ben']],
    ['_since', ['"42"']],
    ['_unknown', ['1']],
  ]);
  const { filters } = parseFilters(query);
  assert.deepEqual(filters, [
    { field: 'status', operator: 'in', value: [0, 1, 'x'] },
    { field: 'colors', operator: 'contains_any', value: ['red'] },
    { field: 'x', operator: 'has', value: false },
    { field: 'title', operator: 'eq', value: 'Ben' },
    { field: 'last_modified', operator: 'gt', value: 42 },
  ]);
  assert.deepEqual(parseSorting(new Map([['_sort', ['-a,+b,bad sort']]])), [
    { field: 'a', direction: -1 },
    { field: 'b', direction: 1 },
    { field: 'last_modified', direction: -1 },
  ]);
  assert.deepEqual(parseSorting(new Map([['_sort', ['last_modified']]])), [{ field: 'last_modified', direction: 1 }]);
  assert.throws(() => parseFilters(new Map([['movie', ['x']]]), { knownFields: ['title'] }), /Unknown filter field 'movie'/);
  assert.throws(() => parseSorting(new Map([['_sort', ['movie']]]), { knownFields: ['title'] }), /Unknown sort field 'movie'/);
  const sorted = sortObjects(
    [
      { id: 'a', last_modified: 1, v: false },
      { id: 'b', last_modified: 2, v: true },
      { id: 'c', last_modified: 3 },
    ],
    [{ field: 'v', direction: 1 }],
  );
  assert.deepEqual(sorted.map((o) => o.id), ['a', 'b', 'c']);
});
