// JSON-schema validation over HTTP (kinto-api.md §3.3, §9; settings.md §3.4;
// checklist 178–185): collection and bucket schemas, ignored fields, stamping,
// every PATCH dialect, batches, and the compiled-schema cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemaValidationOf, type KintoApp } from '@kinto-ts/core';
import { assertKintoError, basicAuth, testSettings } from '@kinto-ts/core/testing';
import { createServer } from '../src/app.js';

const MAT = basicAuth('mat');
const BUCKET = '/v1/buckets/b';
const COLLECTION = `${BUCKET}/collections/c`;
const RECORDS = `${COLLECTION}/records`;

const SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, size: { type: 'number' } },
  required: ['title'],
};

async function server(t: { after: (fn: () => Promise<void>) => void }, enabled = true): Promise<KintoApp> {
  const kinto = await createServer(testSettings({ experimental_collection_schema_validation: enabled }), { logger: false });
  t.after(() => kinto.close());
  return kinto;
}

function send(kinto: KintoApp, method: 'PUT' | 'POST' | 'PATCH' | 'GET', url: string, body?: unknown, type = 'application/json') {
  return kinto.app.inject({
    method,
    url,
    headers: { authorization: MAT, ...(body === undefined ? {} : { 'content-type': type }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

async function created(response: Awaited<ReturnType<typeof send>>) {
  assert.ok(response.statusCode === 200 || response.statusCode === 201, `${response.statusCode} ${response.body}`);
  return JSON.parse(response.body) as { data: Record<string, unknown> };
}

async function setup(kinto: KintoApp, collectionData: Record<string, unknown> = { schema: SCHEMA }, bucketData: Record<string, unknown> = {}) {
  await created(await send(kinto, 'PUT', BUCKET, { data: bucketData }));
  return (await created(await send(kinto, 'PUT', COLLECTION, { data: collectionData }))).data;
}

const detail = (body: Record<string, unknown>) => (body.details as Array<{ name: string; description: string; location: string }>)[0]!;

test('the schema capability appears only with the setting on', async (t) => {
  const on = await server(t);
  const hello = JSON.parse((await on.app.inject({ url: '/v1/' })).body);
  assert.deepEqual(hello.capabilities.schema, {
    description: 'Validates collection records with JSON schemas.',
    url: 'https://kinto.readthedocs.io/en/latest/api/1.x/collections.html#collection-json-schema',
  });
  const off = await server(t, false);
  assert.equal(JSON.parse((await off.app.inject({ url: '/v1/' })).body).capabilities.schema, undefined);
});

test('an invalid schema is refused even with validation disabled (checklist 178)', async (t) => {
  for (const enabled of [false, true]) {
    const kinto = await server(t, enabled);
    await created(await send(kinto, 'PUT', BUCKET));
    const r = await send(kinto, 'PUT', COLLECTION, { data: { schema: { type: 'Washmachine' } } });
    const body = assertKintoError(r, { code: 400, errno: 107, message: "data.schema in body: type'Washmachine' is not valid under any of the given schemas" });
    assert.deepEqual(detail(body), { location: 'body', name: 'data.schema', description: "type'Washmachine' is not valid under any of the given schemas" });
    for (const field of ['record:schema', 'collection:schema', 'group:schema']) {
      const b = assertKintoError(await send(kinto, 'PUT', BUCKET, { data: { [field]: { type: 'Washmachine' } } }), { code: 400, errno: 107 });
      assert.equal(detail(b).name, `data.${field}`);
    }
    // Also through the PATCH dialects, and nothing is stored.
    assertKintoError(await send(kinto, 'PATCH', COLLECTION, [{ op: 'add', path: '/data/schema', value: { type: 'x' } }], 'application/json-patch+json'), { code: 404 });
    await created(await send(kinto, 'PUT', COLLECTION));
    assertKintoError(await send(kinto, 'PATCH', COLLECTION, [{ op: 'add', path: '/data/schema', value: { type: 'x' } }], 'application/json-patch+json'), {
      code: 400,
      message: /^data\.schema in body: type'x' is not valid/,
    });
    assertKintoError(await send(kinto, 'PATCH', COLLECTION, { data: { schema: { required: 'title' } } }, 'application/merge-patch+json'), { code: 400 });
    const stored = JSON.parse((await send(kinto, 'GET', COLLECTION)).body).data;
    assert.equal(stored.schema, undefined);
  }
});

test('with validation disabled records are neither validated nor stamped', async (t) => {
  const kinto = await server(t, false);
  await setup(kinto);
  const record = await created(await send(kinto, 'POST', RECORDS, { data: { body: 'x' } }));
  assert.equal(record.data.schema, undefined);
});

test('a missing required field: message and details name it (checklist 179)', async (t) => {
  const kinto = await server(t);
  await setup(kinto);
  const body = assertKintoError(await send(kinto, 'POST', RECORDS, { data: { body: 'x' } }), { code: 400, errno: 107, message: "'title' is a required property" });
  assert.deepEqual(detail(body), { location: 'body', name: 'title', description: "'title' is a required property" });
  const typed = assertKintoError(await send(kinto, 'POST', RECORDS, { data: { title: 't', size: 'hi!' } }), { code: 400 });
  assert.equal(typed.message, "size in body: 'hi!' is not of type 'number'");
});

test('valid records get schema = the collection timestamp; filter on it (checklist 180)', async (t) => {
  const kinto = await server(t);
  const collection = await setup(kinto);
  const first = await created(await send(kinto, 'POST', RECORDS, { data: { title: 'one', schema: 42 } }));
  assert.equal(first.data.schema, collection.last_modified);
  const updated = await created(await send(kinto, 'PATCH', COLLECTION, { data: { schema: { ...SCHEMA, required: [] } } }));
  const second = await created(await send(kinto, 'POST', RECORDS, { data: { other: true } }));
  assert.equal(second.data.schema, updated.data.last_modified);
  const recent = JSON.parse((await send(kinto, 'GET', `${RECORDS}?min_schema=${updated.data.last_modified}`)).body).data;
  assert.deepEqual(recent.map((r: { id: string }) => r.id), [second.data.id]);
});

test('every write validates the final object: PUT, PATCH and both PATCH dialects', async (t) => {
  const kinto = await server(t);
  await setup(kinto);
  const url = `${RECORDS}/r1`;
  await created(await send(kinto, 'PUT', url, { data: { title: 'ok' } }));
  assertKintoError(await send(kinto, 'PUT', url, { data: { size: 1 } }), { code: 400, message: "'title' is a required property" });
  assertKintoError(await send(kinto, 'PATCH', url, { data: { title: 5 } }), { code: 400, message: 'title in body: 5 is not of type \'string\'' });
  assertKintoError(await send(kinto, 'PATCH', url, { data: { title: null } }, 'application/merge-patch+json'), { code: 400, message: "'title' is a required property" });
  assertKintoError(await send(kinto, 'PATCH', url, [{ op: 'remove', path: '/data/title' }], 'application/json-patch+json'), {
    code: 400,
    message: "'title' is a required property",
  });
  const ok = await created(await send(kinto, 'PATCH', url, [{ op: 'replace', path: '/data/title', value: 'new' }], 'application/json-patch+json'));
  assert.equal(ok.data.title, 'new');
});

test('a bucket record:schema applies to every collection, also in batch sub-requests (checklist 181)', async (t) => {
  const kinto = await server(t);
  await setup(kinto, {}, { 'record:schema': { type: 'object', required: ['owner'] } });
  await created(await send(kinto, 'PUT', `${BUCKET}/collections/other`));
  for (const url of [RECORDS, `${BUCKET}/collections/other/records`]) {
    assertKintoError(await send(kinto, 'POST', url, { data: { a: 1 } }), { code: 400, message: "'owner' is a required property" });
    const record = await created(await send(kinto, 'POST', url, { data: { owner: 'me' } }));
    assert.equal(record.data.schema, undefined, 'no collection schema: no stamp');
  }
  const r = await send(kinto, 'POST', '/v1/batch', {
    defaults: { method: 'POST', path: '/buckets/b/collections/other/records' },
    requests: [{ body: { data: { a: 1 } } }, { body: { data: { owner: 'x' } } }],
  });
  const responses = JSON.parse(r.body).responses as Array<{ status: number; body: { message?: string } }>;
  assert.deepEqual(responses.map((x) => x.status), [400, 201]);
  assert.equal(responses[0]!.body.message, "'owner' is a required property");
});

test('collection and bucket schemas both apply to a record', async (t) => {
  const kinto = await server(t);
  await setup(kinto, { schema: SCHEMA }, { 'record:schema': { required: ['owner'] } });
  assertKintoError(await send(kinto, 'POST', RECORDS, { data: { owner: 'me' } }), { code: 400, message: "'title' is a required property" });
  assertKintoError(await send(kinto, 'POST', RECORDS, { data: { title: 't' } }), { code: 400, message: "'owner' is a required property" });
  await created(await send(kinto, 'POST', RECORDS, { data: { title: 't', owner: 'me' } }));
});

test('required id, schema and last_modified are ignored (checklist 182)', async (t) => {
  const kinto = await server(t);
  await setup(kinto, { schema: { type: 'object', required: ['id', 'schema', 'last_modified'], additionalProperties: false } });
  const record = await created(await send(kinto, 'POST', RECORDS, { data: {} }));
  assert.equal(typeof record.data.schema, 'number');
  await created(await send(kinto, 'PUT', `${RECORDS}/r1`, { data: { last_modified: 1 } }));
});

test('a schema naming id in properties validates record ids (checklist 183)', async (t) => {
  const kinto = await server(t);
  await setup(kinto, { schema: { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z]+$' } } } });
  await created(await send(kinto, 'PUT', `${RECORDS}/abc`, { data: {} }));
  const body = assertKintoError(await send(kinto, 'PUT', `${RECORDS}/ABC`, { data: {} }), { code: 400, errno: 107 });
  assert.equal(detail(body).name, 'id');
  assertKintoError(await send(kinto, 'POST', RECORDS, { data: { id: 'a-1' } }), { code: 400 });
});

test('a bucket collection:schema / group:schema applies to collections and groups (checklist 184)', async (t) => {
  const kinto = await server(t);
  await created(await send(kinto, 'PUT', BUCKET, { data: { 'collection:schema': { required: ['title'] }, 'group:schema': { required: ['title'] } } }));
  const body = assertKintoError(await send(kinto, 'PUT', COLLECTION, { data: {} }), { code: 400, message: "'title' is a required property" });
  assert.equal(detail(body).name, 'title');
  await created(await send(kinto, 'PUT', COLLECTION, { data: { title: 'c' } }));
  assertKintoError(await send(kinto, 'PATCH', COLLECTION, { data: { title: null } }, 'application/merge-patch+json'), { code: 400 });
  assertKintoError(await send(kinto, 'PUT', `${BUCKET}/groups/g`, { data: { members: [] } }), { code: 400, message: "'title' is a required property" });
  await created(await send(kinto, 'PUT', `${BUCKET}/groups/g`, { data: { title: 'g' } }));
});

test('an unresolvable $ref is accepted when stored and refuses records with 400 schema (checklist 185)', async (t) => {
  const kinto = await server(t);
  await setup(kinto, { schema: { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } } });
  const body = assertKintoError(await send(kinto, 'POST', RECORDS, { data: { a: 1 } }), { code: 400, errno: 107 });
  assert.equal(detail(body).name, 'schema');
  assert.equal(detail(body).location, 'body');
});

test('an empty schema accepts anything', async (t) => {
  const kinto = await server(t);
  await setup(kinto, { schema: {} });
  await created(await send(kinto, 'POST', RECORDS, { data: { anything: [1, { x: null }] } }));
});

test('compiled schemas are reused across requests until the collection changes', async (t) => {
  const kinto = await server(t);
  await setup(kinto);
  const cache = schemaValidationOf(kinto)!.cache;
  const before = cache.compilations;
  for (let i = 0; i < 20; i++) await created(await send(kinto, 'POST', RECORDS, { data: { title: `t${i}` } }));
  assert.equal(cache.compilations - before, 1);
  await created(await send(kinto, 'PATCH', COLLECTION, { data: { schema: { ...SCHEMA, required: ['size'] } } }));
  assertKintoError(await send(kinto, 'POST', RECORDS, { data: { title: 't' } }), { code: 400, message: "'size' is a required property" });
  await created(await send(kinto, 'POST', RECORDS, { data: { size: 1 } }));
  assert.equal(cache.compilations - before, 2);
});
