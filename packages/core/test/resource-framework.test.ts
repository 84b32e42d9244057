// The resource framework as a plugin sees it: a plugin declares two resources with
// registerResource(api, …) and an inheritance tree, and gets Kinto's generic behaviour.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { invalidParameter, nameGenerator, registerResource, resourceCatalog, type KintoPlugin } from '../src/index.js';
import { basicAuth, buildServer } from '../src/testing/index.js';

const notes: KintoPlugin = {
  name: 'notes',
  includeme(api) {
    const catalog = resourceCatalog(api);
    catalog.inherit('folder', { read: { folder: ['read', 'write'] }, write: { folder: ['write'] }, 'note:create': { folder: ['write', 'note:create'] } });
    catalog.inherit('note', { read: { folder: ['read', 'write'], note: ['read', 'write'] }, write: { folder: ['write'], note: ['write'] } });
    // Other resources default to UUID4 ids (`id_generator`); these use Kinto's names.
    registerResource(api, { name: 'folder', pluralPath: '/folders', permissions: ['read', 'write', 'note:create'], idGenerator: nameGenerator });
    registerResource(api, {
      name: 'note',
      pluralPath: '/folders/:folder_id/notes',
      parent: 'folder',
      idGenerator: nameGenerator,
      permissions: ['read', 'write'],
      knownFields: ['id', 'last_modified', 'text', 'stamp'],
      readonlyFields: ['stamp'],
      validateData(data) {
        if (data.text !== undefined && typeof data.text !== 'string') throw invalidParameter('body', 'data.text', 'not a string');
        return data;
      },
    });
    // A validator on the final object, as JSON schemas plug in (kinto-api.md §9).
    catalog.addValidator('note', (_context, object, old) => ({ ...object, stamp: old?.stamp ?? 'first' }));
  },
};

async function server(t: TestContext, values: Record<string, unknown> = {}) {
  const kinto = await buildServer({ includes: 'notes', ...values }, { plugins: { notes } });
  t.after(() => kinto.close());
  return (method: string, url: string, body?: unknown, user = 'mat') =>
    kinto.app.inject({ method: method as 'GET', url, headers: user ? { authorization: basicAuth(user) } : {}, ...(body === undefined ? {} : { payload: body as object }) });
}

test('a plugin resource gets CRUD, inheritance, strict fields and validators', async (t) => {
  const call = await server(t, { folder_create_principals: 'system.Authenticated' });
  const first = await call('PUT', '/v1/folders/f1');
  assert.equal(first.statusCode, 201, first.body);
  let r = await call('PUT', '/v1/folders/f1/notes/n1', { data: { text: 'hi' } });
  assert.equal(r.statusCode, 201);
  assert.equal(r.json().data.stamp, 'first');
  r = await call('PATCH', '/v1/folders/f1/notes/n1', { data: { stamp: 'other' } });
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().message, 'Cannot modify stamp');
  assert.equal((await call('PUT', '/v1/folders/f1/notes/n1', { data: { text: 3 } })).statusCode, 400);
  assert.equal((await call('GET', '/v1/folders/f1/notes?movie=1')).statusCode, 400);
  assert.equal((await call('GET', '/v1/folders/f1/notes?text=hi')).json().data.length, 1);
  // Folder writers reach notes; others do not.
  assert.equal((await call('GET', '/v1/folders/f1/notes/n1', undefined, 'alice')).statusCode, 403);
  assert.equal((await call('GET', '/v1/folders/f1/notes/n1', undefined, '')).statusCode, 401);
  await call('PATCH', '/v1/folders/f1', { permissions: { read: ['system.Authenticated'] } });
  assert.equal((await call('GET', '/v1/folders/f1/notes/n1', undefined, 'alice')).statusCode, 200);
  // Deleting the folder cascades to its notes.
  assert.equal((await call('DELETE', '/v1/folders/f1')).statusCode, 200);
  await call('PUT', '/v1/folders/f1');
  assert.equal((await call('GET', '/v1/folders/f1/notes/n1')).statusCode, 404);
});

test('method switches and read-only mode remove methods from Allow', async (t) => {
  const call = await server(t, { folder_create_principals: 'system.Authenticated', object_note_delete_enabled: false, plural_folder_post_enabled: 'false' });
  await call('PUT', '/v1/folders/f1');
  let r = await call('DELETE', '/v1/folders/f1/notes/n1');
  assert.equal(r.statusCode, 405);
  assert.equal(r.headers.allow, 'GET, HEAD, PUT, PATCH, OPTIONS');
  r = await call('POST', '/v1/folders', {});
  assert.equal(r.statusCode, 405);
  assert.equal(r.headers.allow, 'HEAD, GET, DELETE, OPTIONS');
  const readonly = await server(t, { readonly: true });
  r = await readonly('GET', '/v1/folders/f1');
  assert.equal(r.statusCode, 403);
  r = await readonly('PUT', '/v1/folders/f1');
  assert.equal(r.statusCode, 405);
});
