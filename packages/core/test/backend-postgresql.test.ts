// The shared backend suites against PostgreSQL, on a database of this file's own,
// created with `kinto migrate`'s schemas and dropped at the end.
import { after, test } from 'node:test';
import { PostgreSQLCache } from '../src/cache/postgresql.js';
import { PostgreSQLPermission } from '../src/permission/postgresql/index.js';
import { PostgreSQLStorage } from '../src/storage/postgresql/index.js';
import { cacheSuite, createTestDatabase, permissionSuite, serviceSkip, storageSuite } from '../src/testing/index.js';

const skip = await serviceSkip('postgresql');
const db = skip ? undefined : await createTestDatabase('backend_pg');
after(() => db?.drop());
const options = { url: db?.url ?? '', setting: 'storage_url' };

if (db) {
  for (const backend of [new PostgreSQLStorage(options), new PostgreSQLPermission(options), new PostgreSQLCache(options)]) {
    await backend.migrate();
    await backend.close();
  }
}

async function fresh<B extends { flush(): Promise<void> }>(backend: B): Promise<B> {
  await backend.flush();
  return backend;
}

storageSuite(test, () => fresh(new PostgreSQLStorage(options)), { skip });
permissionSuite(test, () => fresh(new PostgreSQLPermission(options)), { skip });
cacheSuite(test, ({ prefix }) => new PostgreSQLCache({ ...options, prefix }), { skip });
