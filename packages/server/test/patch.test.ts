// PATCH dialects over HTTP (kinto-api.md §4.7 b and c; checklist 31, 81–83, 87–91):
// `application/merge-patch+json` and `application/json-patch+json` on Kinto's resources.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KintoApp } from '@kinto-ts/core';
import { assertKintoError, basicAuth, testSettings } from '@kinto-ts/core/testing';
import { createServer } from '../src/app.js';

const MAT = basicAuth('mat');
const MAT_ID = 'basicauth:8a931a10fc88ab2f6d1cc02a07d3a81b5d4768f6f13e85c5d8d4180419acb1b4';
const RECORD = '/v1/buckets/b/collections/c/records/r1';

async function server(t: { after: (fn: () => Promise<void>) => void }): Promise<KintoApp> {
  const kinto = await createServer(testSettings(), { logger: false });
  t.after(() => kinto.close());
  for (const url of ['/v1/buckets/b', '/v1/buckets/b/collections/c']) {
    const r = await kinto.app.inject({ method: 'PUT', url, headers: { authorization: MAT } });
    assert.equal(r.statusCode, 201, r.body);
  }
  return kinto;
}

async function put(kinto: KintoApp, body: unknown, url = RECORD) {
  const r = await kinto.app.inject({ method: 'PUT', url, headers: { authorization: MAT, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  assert.ok(r.statusCode < 300, r.body);
  return JSON.parse(r.body) as { data: Record<string, unknown>; permissions: Record<string, string[]> };
}

function patch(kinto: KintoApp, type: string, body: unknown, headers: Record<string, string> = {}, url = RECORD) {
  return kinto.app.inject({
    method: 'PATCH',
    url,
    headers: { authorization: MAT, 'content-type': type, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

async function ok(response: Awaited<ReturnType<typeof patch>>) {
  assert.equal(response.statusCode, 200, response.body);
  return JSON.parse(response.body) as { data: Record<string, unknown>; permissions: Record<string, string[]> };
}

test('PATCH with another content type is 415 listing the three dialects (checklist 31)', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: { a: 1 } });
  const r = await patch(kinto, 'text/plain', { data: {} });
  const body = assertKintoError(r, { code: 415, errno: 107 });
  for (const type of ['application/json', MERGE, JSON_PATCH]) assert.ok(String(body.message).includes(type), String(body.message));
});

test('merge-patch: null removes a field, nested objects merge (checklist 81, 82)', async (t) => {
  const kinto = await server(t);
  const before = await put(kinto, { data: { a: 1, b: 'keep', g: { one: 1, drop: true }, zero: 5 } });
  const after = await ok(await patch(kinto, MERGE, { data: { a: null, g: { two: 2, drop: null }, zero: 0, f: false, e: {} } }));
  const { id, last_modified, ...data } = after.data;
  assert.equal(id, 'r1');
  assert.ok((last_modified as number) > (before.data.last_modified as number));
  assert.deepEqual(data, { b: 'keep', g: { one: 1, two: 2 }, zero: 0, f: false, e: {} });
  const stored = await kinto.app.inject({ url: RECORD, headers: { authorization: MAT } });
  assert.deepEqual(JSON.parse(stored.body).data, after.data);
});

test('merge-patch: {"permissions": {"read": null}} removes the read ACE (checklist 83)', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: {}, permissions: { read: ['fxa:u'] } });
  const after = await ok(await patch(kinto, MERGE, { permissions: { read: null } }));
  assert.deepEqual(after.permissions, { write: [MAT_ID] });
  const replaced = await ok(await patch(kinto, MERGE, { permissions: { read: ['a', 'b'] } }));
  assert.deepEqual(replaced.permissions.read?.sort(), ['a', 'b']);
  assert.deepEqual(replaced.permissions.write, [MAT_ID]);
});

test('merge-patch keeps the envelope rules of PATCH', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: { a: 1 } });
  assertKintoError(await patch(kinto, MERGE, ''), { code: 400, errno: 107, message: 'Provide at least one of data or permissions' });
  assertKintoError(await patch(kinto, MERGE, {}), { code: 400, errno: 107, message: 'Provide at least one of data or permissions' });
  assertKintoError(await patch(kinto, MERGE, { data: 'x' }), { code: 400, errno: 107, message: /data in body: "x" is not a mapping type/ });
  assertKintoError(await patch(kinto, MERGE, { permissions: { destroy: null } }), { code: 400, errno: 107, message: /"destroy" is not one of read, write/ });
  assertKintoError(await patch(kinto, MERGE, { data: {}, other: 1 }), { code: 400, errno: 107, message: /Unrecognized keys/ });
});

test('merge-patch with Response-Behavior light returns the changed fields only', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: { a: 1, b: 2 } });
  const r = await ok(await patch(kinto, MERGE, { data: { a: 3 } }, { 'response-behavior': 'light' }));
  assert.deepEqual(r.data, { a: 3 });
  assert.equal('permissions' in r, false);
});

test('JSON-Patch adds and removes principals (checklist 87, 88)', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: { a: 1 }, permissions: { read: ['alice'] } });
  const added = await ok(await patch(kinto, JSON_PATCH, [{ op: 'add', path: '/permissions/read/me' }]));
  assert.deepEqual(added.permissions.read?.sort(), ['alice', 'me']);
  const removed = await ok(await patch(kinto, JSON_PATCH, [{ op: 'remove', path: '/permissions/read/alice' }]));
  assert.deepEqual(removed.permissions.read, ['me']);
  assert.deepEqual(removed.permissions.write, [MAT_ID], 'the writer keeps write');
  assert.deepEqual(removed.data.a, 1);
});

test('JSON-Patch: a failed test answers 400 and changes nothing (checklist 89)', async (t) => {
  const kinto = await server(t);
  const before = await put(kinto, { data: { a: 'value' } });
  const r = await patch(kinto, JSON_PATCH, [
    { op: 'replace', path: '/data/a', value: 'changed' },
    { op: 'test', path: '/data/a', value: 'other' },
  ]);
  assertKintoError(r, { code: 400, errno: 107, message: /^body: JSON Patch operation failed: / });
  const stored = JSON.parse((await kinto.app.inject({ url: RECORD, headers: { authorization: MAT } })).body);
  assert.deepEqual(stored.data, before.data);
});

test('JSON-Patch on an unknown permission answers 400 (checklist 90)', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: {} });
  assertKintoError(await patch(kinto, JSON_PATCH, [{ op: 'add', path: '/permissions/destroy/me' }]), {
    code: 400,
    errno: 107,
    message: /^body: JSON Patch operation failed: /,
  });
});

test('JSON-Patch add /data/b/- appends to the array (checklist 91)', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: { b: [1, 2] } });
  const after = await ok(await patch(kinto, JSON_PATCH, [{ op: 'add', path: '/data/b/-', value: 3 }]));
  assert.deepEqual(after.data.b, [1, 2, 3]);
});

test('JSON-Patch: move a principal to data, replace the read list, test a principal', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: {}, permissions: { read: ['alice', 'bob'] } });
  const moved = await ok(
    await patch(kinto, JSON_PATCH, [
      { op: 'test', path: '/permissions/read/alice' },
      { op: 'move', from: '/permissions/read/alice', path: '/data/owner' },
    ]),
  );
  assert.equal(moved.data.owner, 'alice');
  assert.deepEqual(moved.permissions.read, ['bob']);
  const replaced = await ok(await patch(kinto, JSON_PATCH, [{ op: 'add', path: '/permissions/read', value: ['x', 'y'] }]));
  assert.deepEqual(replaced.permissions.read?.sort(), ['x', 'y']);
});

test('JSON-Patch on a collection: record:create exists only when set', async (t) => {
  const kinto = await server(t);
  const url = '/v1/buckets/b/collections/c';
  assertKintoError(await patch(kinto, JSON_PATCH, [{ op: 'add', path: '/permissions/record:create/me', value: 'me' }], {}, url), {
    code: 400,
    message: /JSON Patch operation failed/,
  });
  await ok(await patch(kinto, JSON_PATCH, [{ op: 'add', path: '/permissions/record:create', value: ['a'] }], {}, url));
  const after = await ok(await patch(kinto, JSON_PATCH, [{ op: 'add', path: '/permissions/record:create/me', value: 'me' }], {}, url));
  assert.deepEqual(after.permissions['record:create']?.sort(), ['a', 'me']);
});

test('JSON-Patch body validation names the operation and field', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: {} });
  const bad = assertKintoError(await patch(kinto, JSON_PATCH, [{ op: 'frob', path: '/data/a' }]), { code: 400, errno: 107 });
  assert.equal(bad.message, '0.op in body: "frob" is not one of test, add, remove, replace, move, copy');
  const path = assertKintoError(await patch(kinto, JSON_PATCH, [{ op: 'add', path: 'data/a', value: 1 }]), { code: 400 });
  assert.equal(path.message, '0.path in body: String does not match expected pattern');
  const notArray = assertKintoError(await patch(kinto, JSON_PATCH, { data: {} }), { code: 400 });
  assert.equal(notArray.message, `"{'data': {}}" is not iterable`);
  assert.deepEqual((notArray.details as Array<{ name: string }>)[0]!.name, '');
});

test('JSON-Patch with 10^4 operations: a clear 400, nothing written', async (t) => {
  const kinto = await server(t);
  const before = await put(kinto, { data: { n: 0 } });
  const ops = Array.from({ length: 10_000 }, (_, i) => ({ op: 'replace', path: '/data/n', value: i }));
  assertKintoError(await patch(kinto, JSON_PATCH, ops), { code: 400, errno: 107, message: 'JSON Patch is limited to 1000 operations' });
  const stored = JSON.parse((await kinto.app.inject({ url: RECORD, headers: { authorization: MAT } })).body);
  assert.deepEqual(stored.data, before.data);
  const thousand = await ok(await patch(kinto, JSON_PATCH, ops.slice(0, 1000)));
  assert.equal(thousand.data.n, 999);
});

test('JSON-Patch keeps the object id: removing it is harmless, changing it is refused', async (t) => {
  const kinto = await server(t);
  await put(kinto, { data: { a: 1 } });
  const removed = await ok(await patch(kinto, JSON_PATCH, [{ op: 'remove', path: '/data/id' }]));
  assert.equal(removed.data.id, 'r1');
  assertKintoError(await patch(kinto, JSON_PATCH, [{ op: 'replace', path: '/data/id', value: 'other' }]), {
    code: 400,
    message: 'Object id does not match existing object',
  });
});

test('PATCH dialects on an unknown object answer 404 before the body is validated', async (t) => {
  const kinto = await server(t);
  for (const [type, body] of [[MERGE, [1]], [JSON_PATCH, { x: 1 }]] as const) {
    assertKintoError(await patch(kinto, type, body), { code: 404, errno: 110 });
  }
});
