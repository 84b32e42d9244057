// Kinto's schema (settings.md §6 `kinto migrate`): what `migrate` creates is what
// Python Kinto's own statements create; databases Kinto created and filled are
// upgraded and served as they are; `kinto start` refuses a missing, older or newer
// schema with a message saying what to do.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { PostgreSQLCache } from '../src/cache/postgresql.js';
import { StartupError } from '../src/errors.js';
import { PostgreSQLPermission } from '../src/permission/postgresql/index.js';
import { PostgresClient } from '../src/storage/postgresql/client.js';
import { PostgreSQLStorage, STORAGE_SCHEMA_DEFINITION } from '../src/storage/postgresql/index.js';
import { migrateSchema } from '../src/storage/postgresql/migrator.js';
import { installKintoSchema } from '../src/testing/kinto-schemas.js';
import { createTestDatabase, serviceSkip, type TestDatabase } from '../src/testing/index.js';

const skip = await serviceSkip('postgresql');
const databases: TestDatabase[] = [];
after(() => Promise.all(databases.map((d) => d.drop())));

async function database(): Promise<string> {
  const created = await createTestDatabase('backend_pg_schema');
  databases.push(created);
  return created.url;
}

async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

function backendsOf(url: string) {
  const options = { url, setting: 'storage_url' };
  return { storage: new PostgreSQLStorage(options), permission: new PostgreSQLPermission(options) };
}

async function migrate(url: string): Promise<void> {
  const { storage, permission } = backendsOf(url);
  try {
    await storage.migrate();
    await permission.migrate();
  } finally {
    await storage.close();
    await permission.close();
  }
}

/** Tables, columns, indexes, triggers, constraints and function bodies of the public schema. */
async function structure(url: string) {
  // A Kinto database upgraded from `records` keeps its primary key's old name: compare definitions only.
  const pkey = (name: string) => name.replace(/^records_pkey$/, 'objects_pkey');
  return {
    columns: await sql(
      url,
      `SELECT table_name, column_name, data_type, collation_name, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> 'cache' ORDER BY table_name, column_name`,
    ),
    indexes: (await sql<{ indexname: string; indexdef: string }>(url, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'cache'`))
      .map((i) => `${pkey(i.indexname)}: ${i.indexdef.replace(/records_pkey/, 'objects_pkey')}`)
      .sort(),
    triggers: await sql(url, `SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`),
    constraints: (await sql<{ conname: string; def: string }>(url, `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace`))
      .map((c) => `${pkey(c.conname)}: ${c.def}`)
      .sort(),
    functions: await sql(url, `SELECT proname, prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname <> 'sec2ttl' ORDER BY proname`),
  };
}

async function versions(url: string) {
  return sql(url, `SELECT name, value FROM metadata WHERE name LIKE '%schema_version' ORDER BY name, value`);
}

async function refusal(url: string): Promise<StartupError> {
  const { storage, permission } = backendsOf(url);
  try {
    await permission.initialize();
    await storage.initialize();
  } catch (error) {
    assert.ok(error instanceof StartupError);
    assert.equal(error.code, 'KINTO_ERR_MIGRATION');
    return error;
  } finally {
    await storage.close();
    await permission.close();
  }
  return assert.fail('initialize() accepted the schema');
}

test('start-up refuses a database without Kinto schema, saying to run kinto migrate', { skip }, async () => {
  const url = await database();
  assert.match((await refusal(url)).message, /no Kinto permission schema .*run `kinto migrate --ini <file>`/);
  const cache = new PostgreSQLCache({ url, setting: 'cache_url' });
  await assert.rejects(cache.initialize(), /no Kinto cache table .*kinto migrate/);
  await cache.migrate();
  await cache.initialize();
  await cache.close();
});

test('migrate creates the schema Python Kinto 26 creates, records its versions, and is idempotent', { skip }, async () => {
  const ours = await database();
  const kintos = await database();
  await migrate(ours);
  await migrate(ours);
  const client = new pg.Client({ connectionString: kintos });
  await client.connect();
  await installKintoSchema(client);
  await client.end();
  assert.deepEqual(await structure(ours), await structure(kintos));
  assert.deepEqual(await versions(ours), [
    { name: 'permission_schema_version', value: '2' },
    { name: 'storage_schema_version', value: '26' },
  ]);
  const { storage, permission } = backendsOf(kintos);
  await storage.initialize();
  await permission.initialize();
  await storage.close();
  await permission.close();
});

test('a database Kinto 13 created and filled is upgraded by migrate and served as it is', { skip }, async () => {
  const url = await database();
  const fresh = await database();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await installKintoSchema(client, { storageVersion: 19, permission1: true });
  // Rows as Python Kinto writes them: data without id and last_modified, tombstones with `{"deleted": true}`.
  await client.query(`INSERT INTO records (id, parent_id, collection_id, last_modified, data, deleted) VALUES
    ('b1', '', 'bucket', from_epoch(1500000000000), '{}', FALSE),
    ('c1', '/buckets/b1', 'collection', from_epoch(1500000000100), '{"schema": {"type": "object"}}', FALSE),
    ('r1', '/buckets/b1/collections/c1', 'record', from_epoch(1500000001000), '{"title": "one", "n": 1, "tags": ["a"]}', FALSE),
    ('r2', '/buckets/b1/collections/c1', 'record', from_epoch(1500000002000), '{"title": "two", "n": 2}', FALSE),
    ('r3', '/buckets/b1/collections/c1', 'record', from_epoch(1500000003000), '{"deleted": true}', TRUE)`);
  await client.query(`INSERT INTO access_control_entries (object_id, permission, principal) VALUES
    ('/buckets/b1', 'write', 'basicauth:alice'), ('/buckets/b1/collections/c1', 'read', 'system.Everyone')`);
  await client.query(`INSERT INTO user_principals (user_id, principal) VALUES ('basicauth:bob', '/buckets/b1/groups/g')`);
  await client.end();

  assert.match((await refusal(url)).message, /at version 1, this server needs version 2: run `kinto migrate/);
  await migrate(url);
  await migrate(fresh);
  assert.deepEqual(await structure(url), await structure(fresh));
  assert.deepEqual((await versions(url)).map((v) => v.value), ['2', '19', '20', '21', '22', '23', '24', '25', '26']);

  const { storage, permission } = backendsOf(url);
  try {
    await storage.initialize();
    await permission.initialize();
    const P = '/buckets/b1/collections/c1';
    assert.deepEqual(await storage.get('record', P, 'r1'), { id: 'r1', last_modified: 1500000001000, title: 'one', n: 1, tags: ['a'] });
    assert.deepEqual((await storage.listAll('record', P, { sorting: [{ field: 'n', direction: -1 }] })).map((o) => o.id), ['r2', 'r1']);
    assert.deepEqual(await storage.listAll('record', P, { includeDeleted: true, filters: [{ field: 'last_modified', operator: 'gt', value: 1500000002000 }] }), [
      { id: 'r3', last_modified: 1500000003000, deleted: true },
    ]);
    assert.equal(await storage.resourceTimestamp('record', P), 1500000003000);
    const created = await storage.create('record', P, { id: 'r4' });
    assert.ok(created.last_modified > 1500000003000);
    assert.deepEqual(await permission.getObjectPermissions('/buckets/b1'), { write: ['basicauth:alice'] });
    assert.deepEqual(await permission.getUserPrincipals('basicauth:bob'), ['/buckets/b1/groups/g']);
  } finally {
    await storage.close();
    await permission.close();
  }
});

test('an older schema is refused at start-up until migrated', { skip }, async () => {
  const url = await database();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await installKintoSchema(client, { storageVersion: 24 });
  await client.end();
  assert.match((await refusal(url)).message, /storage schema .* is at version 24, this server needs version 26: run `kinto migrate --ini <file>`/);
  await migrate(url);
  const { storage, permission } = backendsOf(url);
  await storage.initialize();
  await Promise.all([storage.close(), permission.close()]);
});

test('a schema from a newer version is refused, by start-up and by migrate', { skip }, async () => {
  const url = await database();
  await migrate(url);
  await sql(url, `INSERT INTO metadata (name, value) VALUES ('storage_schema_version', '27')`);
  assert.match((await refusal(url)).message, /at version 27, newer than version 26 .*upgrade kinto-ts/);
  const { storage, permission } = backendsOf(url);
  await assert.rejects(storage.migrate(), /newer than version 26/);
  await Promise.all([storage.close(), permission.close()]);
});

test('a schema too old for our migrations is refused with what to do', { skip }, async () => {
  const url = await database();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await installKintoSchema(client, { storageVersion: 19 });
  await client.query(`DELETE FROM metadata WHERE name = 'storage_schema_version'; INSERT INTO metadata VALUES ('storage_schema_version', '12')`);
  await client.end();
  const { storage, permission } = backendsOf(url);
  await assert.rejects(storage.migrate(), /cannot migrate the storage schema from version 12: upgrade it with Python Kinto first/);
  await Promise.all([storage.close(), permission.close()]);
});

test('concurrent migrate runs (several processes starting) create the schema once', { skip }, async () => {
  const url = await database();
  // Distinct pools, as distinct processes would have (not the one shared client of a process).
  const clients = Array.from({ length: 3 }, () => new PostgresClient({ url, setting: 'storage_url', poolSize: 2 }));
  await Promise.all(clients.map((client) => migrateSchema(client, STORAGE_SCHEMA_DEFINITION)));
  await Promise.all(clients.map((client) => client.end()));
  assert.deepEqual((await versions(url)).map((v) => v.value), ['26']);
});

test('a wrong storage_url stops start-up with a clear message, without the password', { skip }, () => {
  assert.throws(() => new PostgreSQLStorage({ url: 'mysql://root:secret@db/kinto', setting: 'storage_url' }), (error: unknown) => {
    assert.ok(error instanceof StartupError);
    assert.match(error.message, /setting 'storage_url' has scheme 'mysql': expected postgresql:\/\//);
    assert.doesNotMatch(error.message, /secret/);
    return true;
  });
  assert.throws(() => new PostgreSQLStorage({ url: '', setting: 'storage_url' }), /setting 'storage_url' is empty/);
  assert.throws(() => new PostgreSQLStorage({ url: 'not a url', setting: 'storage_url' }), /is not a URL/);
});
