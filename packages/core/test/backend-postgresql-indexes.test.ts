// Issue #8: a filtered page of a 100k-record collection stays fast because Kinto's
// indexes serve the SQL the storage writes. Asserted on the query plans PostgreSQL
// chooses for the storage's own statements (never on durations, which are only
// reported; `pnpm bench` measures the HTTP figures).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PostgreSQLStorage } from '../src/storage/postgresql/index.js';
import { createTestDatabase, runSql, serviceSkip } from '../src/testing/index.js';

const skip = await serviceSkip('postgresql');
const db = skip ? undefined : await createTestDatabase('backend_pg_indexes');
after(() => db?.drop());

const COUNT = 100_000;
const P = '/buckets/bench/collections/big';

interface Plan {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: Plan[];
}

function nodes(plan: Plan): Plan[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Runs `fn` and returns the plan of the last statement it sent to PostgreSQL. */
async function planOf(storage: PostgreSQLStorage, fn: () => Promise<unknown>): Promise<Plan[]> {
  const client = storage.client;
  const original = client.query.bind(client);
  let last: { sql: string; params: unknown[] } | undefined;
  client.query = ((sql: string, params: unknown[] = []) => {
    last = { sql, params };
    return original(sql, params);
  }) as typeof client.query;
  try {
    await fn();
  } finally {
    client.query = original;
  }
  const [row] = await runSql<{ 'QUERY PLAN': Array<{ Plan: Plan }> }>(db!.url, `EXPLAIN (FORMAT JSON) ${last!.sql}`, last!.params);
  return nodes(row!['QUERY PLAN'][0]!.Plan);
}

test('a filtered, sorted page of 100,000 records is served by Kinto\'s indexes', { skip, timeout: 120_000 }, async (t) => {
  const storage = new PostgreSQLStorage({ url: db!.url, setting: 'storage_url' });
  t.after(() => storage.close());
  await storage.migrate();
  // Records as the API writes them, with distinct past timestamps the trigger keeps; other lists around them.
  const insert = (parent: string, from: number, count: number) =>
    runSql(
      db!.url,
      `INSERT INTO objects (id, parent_id, resource_name, last_modified, data, deleted)
       SELECT 'r' || n, $1, 'record', from_epoch(1600000000000 + n),
              jsonb_build_object('n', n, 'group', n % 100, 'title', 'Record ' || n), FALSE
       FROM generate_series($2::int, $3::int) AS n`,
      [parent, from, from + count - 1],
    );
  await insert(P, 1, COUNT);
  await insert('/buckets/bench/collections/other', COUNT + 1, 30_000);
  await runSql(db!.url, 'ANALYZE objects');
  assert.equal(await storage.countAll('record', P), COUNT);

  const page = () =>
    storage.listAll('record', P, {
      filters: [{ field: 'group', operator: 'eq', value: 42 }],
      sorting: [{ field: 'last_modified', direction: -1 }],
      limit: 11,
    });
  const started = process.hrtime.bigint();
  const records = await page();
  t.diagnostic(`filtered page of ${COUNT} records: ${Number(process.hrtime.bigint() - started) / 1e6} ms`);
  assert.equal(records.length, 11);
  assert.ok(records.every((r) => r.group === 42));
  assert.ok(records.every((r, i) => i === 0 || r.last_modified < records[i - 1]!.last_modified));

  const plan = await planOf(storage, page);
  assert.ok(
    plan.some((n) => /Index/.test(n['Node Type']) && /idx_objects_parent_id_(resource_name|record)_last_modified/.test(n['Index Name'] ?? '')),
    JSON.stringify(plan.map((n) => [n['Node Type'], n['Index Name']])),
  );
  assert.ok(!plan.some((n) => n['Node Type'] === 'Seq Scan'), 'no sequential scan of objects');
  assert.ok(!plan.some((n) => n['Node Type'] === 'Sort'), 'the index gives the order');

  // Polling for changes (_since): an index range scan, not a scan of the list.
  const since = await planOf(storage, () =>
    storage.listAll('record', P, {
      filters: [{ field: 'last_modified', operator: 'gt', value: 1600000000000 + COUNT }],
      sorting: [{ field: 'last_modified', direction: -1 }],
      includeDeleted: true,
      limit: 11,
    }),
  );
  assert.ok(!since.some((n) => n['Node Type'] === 'Seq Scan'));

  // An object read is a primary-key lookup.
  const get = await planOf(storage, () => storage.get('record', P, 'r42'));
  assert.ok(get.some((n) => n['Index Name'] === 'objects_pkey'), JSON.stringify(get));
});
