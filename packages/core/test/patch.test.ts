// The PATCH dialects of kinto-api.md §4.7 b (merge-patch) and c (JSON-Patch), as
// units; the HTTP behaviour is covered in packages/server/test/patch.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KintoError } from '../src/errors.js';
import { applyJsonPatch, JSON_PATCH_MAX_OPERATIONS, parseJsonPatch, type PatchTarget } from '../src/patch/json-patch.js';
import { applyMergePatch, mergePatch } from '../src/patch/merge-patch.js';

const RECORD_PERMISSIONS = ['read', 'write'];
const target = (): PatchTarget => ({
  data: { id: 'r1', last_modified: 10, a: 1, b: [1, 2], g: { one: 1 } },
  permissions: { read: ['alice'], write: ['me'] },
});

function kintoError(fn: () => unknown): KintoError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof KintoError, `expected a KintoError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

describe('merge-patch (RFC 7396)', () => {
  test('null removes a key at any depth; 0, false and {} are kept', () => {
    const out = mergePatch({ a: 1, g: { one: 1, two: 2 }, keep: 'x' }, { a: null, g: { two: null, three: 0 }, f: false, e: {} });
    assert.deepEqual(out, { g: { one: 1, three: 0 }, keep: 'x', f: false, e: {} });
  });

  test('objects merge recursively (checklist 82), arrays replace', () => {
    assert.deepEqual(mergePatch({ g: { one: 1 }, l: [1, 2] }, { g: { two: 2 }, l: [3] }), { g: { one: 1, two: 2 }, l: [3] });
  });

  test('an object merged onto a scalar replaces it (upstream answers 500 there)', () => {
    assert.deepEqual(mergePatch({ a: 5 }, { a: { b: 1, c: null } }), { a: { b: 1 } });
  });

  test('__proto__ in a patch is plain data, never the prototype', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const out = mergePatch({}, patch) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('permissions: null removes the ACE, lists replace, others untouched (checklist 83)', () => {
    const current = { ...target(), permissions: { read: ['alice'], write: ['me'] } };
    const out = applyMergePatch(current, { permissions: { read: null } }, { permissions: RECORD_PERMISSIONS });
    assert.deepEqual(out.permissions, { read: [], write: ['me'] });
    const out2 = applyMergePatch(current, { data: { a: null } }, { permissions: RECORD_PERMISSIONS });
    assert.deepEqual(out2.data, { id: 'r1', last_modified: 10, b: [1, 2], g: { one: 1 } });
    assert.deepEqual(out2.permissions, { read: ['alice'], write: ['me'] });
  });

  test('unknown permission names are refused', () => {
    const error = kintoError(() => applyMergePatch(target(), { permissions: { destroy: ['x'] } }, { permissions: RECORD_PERMISSIONS }));
    assert.equal(error.status, 400);
    assert.match(error.message, /"destroy" is not one of read, write/);
  });

  test('the current object is not mutated', () => {
    const current = target();
    applyMergePatch(current, { data: { g: { two: 2 } } }, { permissions: RECORD_PERMISSIONS });
    assert.deepEqual(current, target());
  });
});

describe('JSON-Patch body validation', () => {
  test('a non-array body names the body as Python prints it', () => {
    const error = kintoError(() => parseJsonPatch({ data: {} }));
    assert.equal(error.message, `"{'data': {}}" is not iterable`);
  });

  test('op and path are validated with the field named', () => {
    const error = kintoError(() => parseJsonPatch([{ op: 'frob', path: 'x' }]));
    const details = error.details as Array<{ name: string; description: string }>;
    assert.deepEqual(
      details.map((d) => [d.name, d.description]),
      [
        ['0.op', '"frob" is not one of test, add, remove, replace, move, copy'],
        ['0.path', 'String does not match expected pattern'],
      ],
    );
    assert.equal(error.message, '0.op in body: "frob" is not one of test, add, remove, replace, move, copy');
  });

  test('missing path, unknown keys and non-string from are 400s', () => {
    const error = kintoError(() => parseJsonPatch([{ op: 'add' }, { op: 'move', path: '/a', from: 3 }, { op: 'add', path: '/a', foo: 1 }]));
    const names = (error.details as Array<{ name: string }>).map((d) => d.name);
    assert.deepEqual(names, ['0.path', '1.from', '2']);
  });

  test(`more than ${JSON_PATCH_MAX_OPERATIONS} operations are refused before any work`, () => {
    const ops = Array.from({ length: 10_000 }, () => ({ op: 'test', path: '/data/a', value: 1 }));
    const error = kintoError(() => parseJsonPatch(ops));
    assert.equal(error.status, 400);
    assert.equal(error.message, `JSON Patch is limited to ${JSON_PATCH_MAX_OPERATIONS} operations`);
    assert.equal(parseJsonPatch(ops.slice(0, JSON_PATCH_MAX_OPERATIONS)).length, JSON_PATCH_MAX_OPERATIONS);
  });
});

describe('JSON-Patch on {data, permissions}', () => {
  const apply = (ops: unknown[], current = target(), permissions = RECORD_PERMISSIONS) =>
    applyJsonPatch(current, parseJsonPatch(ops), { permissions });

  test('add and remove principals; value is ignored on permission paths (checklist 87, 88)', () => {
    const out = apply([
      { op: 'add', path: '/permissions/read/me', value: 'ignored' },
      { op: 'remove', path: '/permissions/read/alice' },
      { op: 'add', path: '/permissions/write/~1buckets~1b~1groups~1g' },
    ]);
    assert.deepEqual(out.permissions, { read: ['me'], write: ['me', '/buckets/b/groups/g'] });
  });

  test('test on a principal passes when present', () => {
    assert.deepEqual(apply([{ op: 'test', path: '/permissions/read/alice' }]).permissions.read, ['alice']);
  });

  test('add with an array on /permissions/read replaces the list', () => {
    assert.deepEqual(apply([{ op: 'add', path: '/permissions/read', value: ['x', 'y'] }]).permissions.read, ['x', 'y']);
  });

  test('move from a principal to /data/x stores the principal string', () => {
    const out = apply([{ op: 'move', from: '/permissions/read/alice', path: '/data/x' }]);
    assert.equal(out.data.x, 'alice');
    assert.deepEqual(out.permissions.read, []);
  });

  test('data operations: add, append with -, replace, copy, move, remove (checklist 91)', () => {
    const out = apply([
      { op: 'add', path: '/data/b/-', value: 3 },
      { op: 'replace', path: '/data/a', value: 'A' },
      { op: 'copy', from: '/data/g', path: '/data/h' },
      { op: 'move', from: '/data/g/one', path: '/data/one' },
      { op: 'remove', path: '/data/h/one' },
    ]);
    assert.deepEqual(out.data, { id: 'r1', last_modified: 10, a: 'A', b: [1, 2, 3], g: {}, h: {}, one: 1 });
  });

  const failures: Array<[string, unknown[]]> = [
    ['a failed test (checklist 89)', [{ op: 'test', path: '/data/a', value: 'other' }]],
    ['an unknown permission (checklist 90)', [{ op: 'add', path: '/permissions/destroy/me' }]],
    ['removing an absent principal', [{ op: 'remove', path: '/permissions/read/bob' }]],
    ['a missing parent', [{ op: 'add', path: '/data/missing/x', value: 1 }]],
    ['an out-of-bounds index', [{ op: 'add', path: '/data/b/5', value: 1 }]],
    ['an inherited member is not a member', [{ op: 'remove', path: '/data/constructor' }]],
    ['a missing value', [{ op: 'add', path: '/data/z' }]],
    ['moving into its own child', [{ op: 'move', from: '/data/g', path: '/data/g/x' }]],
    ['replacing data with a scalar', [{ op: 'replace', path: '/data', value: 5 }]],
    ['removing permissions', [{ op: 'remove', path: '/permissions' }]],
    ['a permission that is not a list', [{ op: 'replace', path: '/permissions/read', value: 'abc' }]],
    ['an unknown permission added whole', [{ op: 'add', path: '/permissions/destroy', value: [] }]],
    ['a bad escape', [{ op: 'add', path: '/data/a~2', value: 1 }]],
  ];
  for (const [why, ops] of failures) {
    test(`400 JSON Patch operation failed: ${why}`, () => {
      const current = target();
      const error = kintoError(() => apply(ops, current));
      assert.equal(error.status, 400);
      assert.equal(error.errno, 107);
      assert.match(error.message, /^body: JSON Patch operation failed: ./);
      assert.deepEqual(current, target(), 'nothing changed');
    });
  }

  test('other permissions exist only when already set (record:create on a collection)', () => {
    const collection: PatchTarget = { data: { id: 'c' }, permissions: { write: ['me'] } };
    const perms = ['read', 'write', 'record:create'];
    const error = kintoError(() => apply([{ op: 'add', path: '/permissions/record:create/x', value: 'x' }], collection, perms));
    assert.equal(error.status, 400);
    const set: PatchTarget = { data: { id: 'c' }, permissions: { write: ['me'], 'record:create': ['a'] } };
    const out = apply([{ op: 'add', path: '/permissions/record:create/x', value: 'x' }], set, perms);
    assert.deepEqual(out.permissions, { read: [], write: ['me'], 'record:create': ['a', 'x'] });
    assert.deepEqual(apply([{ op: 'remove', path: '/permissions/record:create' }], set, perms).permissions['record:create'], []);
  });

  test('copy doubling is bounded: clear 400, no blow-up', () => {
    const ops: unknown[] = [{ op: 'add', path: '/data/x', value: 'y'.repeat(1000) }];
    for (let i = 0; i < 900; i++) ops.push({ op: 'copy', from: '/data', path: `/data/c${i}` });
    const error = kintoError(() => apply(ops));
    assert.match(error.message, /exceed the size limit/);
  });

  test('a thousand operations on a large document stay cheap (no clone per operation)', () => {
    const big: PatchTarget = { data: { id: 'r', blob: Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'x'.repeat(20) })) }, permissions: {} };
    const ops = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0 ? { op: 'move', from: '/data/blob', path: '/data/blob2' } : { op: 'move', from: '/data/blob2', path: '/data/blob' },
    );
    const out = apply(ops, big);
    assert.equal((out.data.blob as unknown[]).length, 20_000);
  });
});
