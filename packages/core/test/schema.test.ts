// JSON-schema checks and validation (kinto-api.md §9) as units; the HTTP behaviour
// is covered in packages/server/test/schema.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KintoError } from '../src/errors.js';
import { checkSchemaDocument, SchemaCache, validateWithSchema } from '../src/schema/json-schema.js';
import { pyRepr } from '../src/schema/python-repr.js';
import { SchemaValidation, type SchemaParent } from '../src/schema/validation.js';

async function kintoError(fn: () => unknown): Promise<KintoError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof KintoError, `expected a KintoError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

const detail = (error: KintoError) => (error.details as Array<{ name: string; description: string; location: string }>)[0]!;

test('pyRepr prints JSON values as Python does', () => {
  assert.equal(pyRepr({ a: [1, true, null, 'x'], "it's": 'say "hi"' }), `{'a': [1, True, None, 'x'], "it's": 'say "hi"'}`);
  assert.equal(pyRepr(1e21), '1000000000000000000000');
  assert.equal(pyRepr('a\nb\\'), "'a\\nb\\\\'");
});

describe('stored schemas are checked against the draft-7 meta-schema', () => {
  test('type Washmachine (checklist 178)', async () => {
    const error = await kintoError(() => checkSchemaDocument({ type: 'Washmachine' }, 'data.schema'));
    assert.equal(error.status, 400);
    assert.equal(error.errno, 107);
    assert.deepEqual(detail(error), { location: 'body', name: 'data.schema', description: "type'Washmachine' is not valid under any of the given schemas" });
    assert.equal(error.message, "data.schema in body: type'Washmachine' is not valid under any of the given schemas");
  });

  test('nested errors name the innermost member', async () => {
    const error = await kintoError(() => checkSchemaDocument({ properties: { title: { minLength: 'x' } } }, 'data.record:schema'));
    assert.equal(detail(error).name, 'data.record:schema');
    assert.equal(detail(error).description, "minLength'x' is not of type 'integer'");
  });

  test('an invalid regex pattern is refused; a Python-style escape is not', async () => {
    const error = await kintoError(() => checkSchemaDocument({ properties: { a: { pattern: '[(' } } }, 'data.schema'));
    assert.equal(detail(error).description, "pattern'[(' is not a 'regex'");
    checkSchemaDocument({ properties: { a: { pattern: '^\\_x$' } } }, 'data.schema');
  });

  test('empty schemas, unknown keywords and foreign $schema are accepted', () => {
    checkSchemaDocument({}, 'data.schema');
    checkSchemaDocument({ type: 'object', foo: 'bar', $schema: 'http://json-schema.org/draft-04/schema#' }, 'data.schema');
  });

  test('a schema that is not a mapping', async () => {
    for (const value of ['abc', null, [1]]) {
      const error = await kintoError(() => checkSchemaDocument(value, 'data.schema'));
      assert.match(error.message, /^data\.schema in body: ".*" is not a mapping type/);
    }
  });
});

describe('validation messages and fields', () => {
  const cache = new SchemaCache();
  const schema = {
    type: 'object',
    properties: { title: { type: 'string' }, size: { type: 'number' }, author: { type: 'object', required: ['name'] } },
    required: ['title'],
  };

  test('required: Python message, field name (checklist 179)', async () => {
    const error = await kintoError(() => validateWithSchema(cache, { body: 'x' }, schema));
    assert.equal(error.message, "'title' is a required property");
    assert.equal(detail(error).name, 'title');
  });

  test('type: named after the instance path', async () => {
    const error = await kintoError(() => validateWithSchema(cache, { title: 't', size: 'hi!' }, schema));
    assert.equal(error.message, "size in body: 'hi!' is not of type 'number'");
    const nested = await kintoError(() => validateWithSchema(cache, { title: 't', author: {} }, schema));
    assert.equal(detail(nested).name, 'author');
  });

  test('additionalProperties lists every unexpected field', async () => {
    const strict = { type: 'object', properties: { a: {} }, additionalProperties: false };
    const error = await kintoError(() => validateWithSchema(cache, { a: 1, b: 2, c: 3 }, strict));
    assert.equal(detail(error).name, 'additionalProperties');
    assert.equal(detail(error).description, "Additional properties are not allowed ('b', 'c' were unexpected)");
  });

  test('ignored fields are stripped from data and from required (checklist 182)', () => {
    const s = { type: 'object', required: ['id', 'schema', 'last_modified'], additionalProperties: false };
    validateWithSchema(cache, { id: 'r', last_modified: 1, schema: 2 }, s, { ignoreFields: ['last_modified', 'schema'] });
  });

  test('id is validated when the schema names it (checklist 183)', async () => {
    const s = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z]+$' } } };
    validateWithSchema(cache, { id: 'abc' }, s);
    const error = await kintoError(() => validateWithSchema(cache, { id: 'ABC' }, s));
    assert.equal(detail(error).name, 'id');
    assert.equal(detail(error).description, "'ABC' does not match '^[a-z]+$'");
  });

  test('an unresolvable $ref is a 400 named schema (checklist 185)', async () => {
    const error = await kintoError(() => validateWithSchema(cache, { a: 1 }, { properties: { a: { $ref: '#/definitions/nope' } } }));
    assert.equal(error.status, 400);
    assert.equal(detail(error).name, 'schema');
    const remote = await kintoError(() => validateWithSchema(cache, { a: 1 }, { $ref: 'http://example.com/schema.json' }));
    assert.equal(detail(remote).name, 'schema');
  });

  test('two schemas with the same $id do not clash', () => {
    validateWithSchema(cache, { a: 1 }, { $id: 'https://x/s', properties: { a: { type: 'number' } } });
    validateWithSchema(cache, { a: 'x' }, { $id: 'https://x/s', properties: { a: { type: 'string' } } });
  });

  test('a schema claiming the meta-schema $id does not break $refs to the meta-schema', async () => {
    validateWithSchema(cache, { a: 1 }, { $id: 'http://json-schema.org/draft-07/schema#', minProperties: 1 });
    const refMeta = { properties: { a: { $ref: 'http://json-schema.org/draft-07/schema#' } } };
    validateWithSchema(cache, { a: { type: 'string' } }, refMeta);
    const error = await kintoError(() => validateWithSchema(cache, { a: { type: 5 } }, refMeta));
    assert.equal(detail(error).name, 'type');
  });
});

describe('compiled schemas are cached per (uri, timestamp)', () => {
  test('one compilation per key; a new timestamp or new text recompiles', () => {
    const cache = new SchemaCache();
    const schema = { properties: { a: { type: 'number' } } };
    const key = { uri: '/buckets/b/collections/c', timestamp: 1 };
    for (let i = 0; i < 50; i++) validateWithSchema(cache, { a: i }, schema, { cacheKey: key });
    assert.equal(cache.compilations, 1);
    validateWithSchema(cache, { a: 1 }, schema, { cacheKey: { ...key, timestamp: 2 } });
    assert.equal(cache.compilations, 2);
    validateWithSchema(cache, { a: 'x' }, { properties: { a: { type: 'string' } } }, { cacheKey: { ...key, timestamp: 2 } });
    assert.equal(cache.compilations, 3);
  });

  test('broken schemas are remembered too', async () => {
    const cache = new SchemaCache();
    const schema = { $ref: '#/nope' };
    const key = { uri: '/c', timestamp: 1 };
    for (let i = 0; i < 3; i++) await kintoError(() => validateWithSchema(cache, {}, schema, { cacheKey: key }));
    assert.equal(cache.compilations, 1);
  });
});

describe('SchemaValidation of Kinto resources', () => {
  const bucket = (data: Record<string, unknown> = {}): SchemaParent => ({ uri: '/buckets/b', object: { id: 'b', last_modified: 100, ...data } });
  const collection = (schema?: unknown): SchemaParent => ({
    uri: '/buckets/b/collections/c',
    object: { id: 'c', last_modified: 200, ...(schema === undefined ? {} : { schema }) },
  });

  test('disabled: nothing validated, nothing stamped, bucket not even loaded', async () => {
    const v = new SchemaValidation({ enabled: false });
    const out = await v.validate('record', { id: 'r', a: 1 }, { bucketId: 'b', bucket: () => assert.fail('loaded'), collection: collection({ required: ['x'] }) });
    assert.deepEqual(out, { id: 'r', a: 1 });
  });

  test('records are stamped with the collection timestamp (checklist 180)', async () => {
    const v = new SchemaValidation({ enabled: true });
    const out = await v.validate('record', { id: 'r', a: 1, schema: 5 }, { bucketId: 'b', bucket: () => bucket(), collection: collection({ type: 'object' }) });
    assert.deepEqual(out, { id: 'r', a: 1, schema: 200 });
    const plain = await v.validate('record', { id: 'r', a: 1 }, { bucketId: 'b', bucket: () => bucket(), collection: collection() });
    assert.equal(plain.schema, undefined);
  });

  test('bucket record:schema applies on top of the collection schema (checklist 181)', async () => {
    const v = new SchemaValidation({ enabled: true });
    const context = { bucketId: 'b', bucket: () => bucket({ 'record:schema': { required: ['b'] } }), collection: collection({ required: ['a'] }) };
    const error = await kintoError(() => v.validate('record', { id: 'r', a: 1 }, context));
    assert.equal(error.message, "'b' is a required property");
    await v.validate('record', { id: 'r', a: 1, b: 2 }, context);
  });

  test('collection:schema and group:schema (checklist 184); missing bucket → 404 errno 111', async () => {
    const v = new SchemaValidation({ enabled: true });
    const b = bucket({ 'collection:schema': { required: ['title'] }, 'group:schema': { properties: { members: { maxItems: 1 } } } });
    const error = await kintoError(() => v.validate('collection', { id: 'c' }, { bucketId: 'b', bucket: () => b }));
    assert.equal(detail(error).name, 'title');
    const groupError = await kintoError(() => v.validate('group', { id: 'g', members: ['a', 'b'] }, { bucketId: 'b', bucket: () => b }));
    assert.equal(detail(groupError).name, 'members');
    const missing = await kintoError(() => v.validate('group', { id: 'g' }, { bucketId: 'nope', bucket: () => null }));
    assert.equal(missing.status, 404);
    assert.equal(missing.errno, 111);
  });

  test('stored schemas are checked even when validation is disabled', async () => {
    const v = new SchemaValidation({ enabled: false });
    const error = await kintoError(() => v.checkStoredSchemas('bucket', { 'group:schema': { type: 'Washmachine' } }));
    assert.equal(detail(error).name, 'data.group:schema');
    v.checkStoredSchemas('record', { schema: { type: 'Washmachine' } });
  });
});
