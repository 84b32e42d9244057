// Issue #8, shown here: a filtered page of a 100k-record collection on PostgreSQL
// stays fast because the storage's indexes (Kinto's schema) serve it.
import { randomUUID } from 'node:crypto';
import { BASIC, expectStatus } from '../http.js';
import { measure, type Timing } from '../load.js';
import type { ScenarioResult } from '../report.js';
import type { ServerHandle } from '../server-process.js';
import { pgClient } from '../services.js';
import type { Ceiling } from './ceiling.js';
import { BUCKET } from './records.js';

const COLLECTION = `${BUCKET}/collections/big`;
const GROUPS = 100;

/**
 * 100k records through the API would be 4,000 batches (minutes): they go straight
 * into Kinto's `objects` table instead — the rows the API writes, with distinct
 * past timestamps so that the `bump_timestamp` trigger keeps them.
 */
async function seedRecords(database: string, count: number): Promise<void> {
  const client = pgClient(database);
  await client.connect();
  try {
    const parent = COLLECTION.replace(/^\/v1/, '');
    const start = Date.now() - count - 60_000;
    for (let offset = 0; offset < count; offset += 10_000) {
      const size = Math.min(10_000, count - offset);
      const ids = Array.from({ length: size }, () => randomUUID());
      await client.query(
        `INSERT INTO objects (id, parent_id, resource_name, last_modified, data, deleted)
         SELECT ids.id, $1, 'record', from_epoch($2::BIGINT + ids.n),
                jsonb_build_object('n', ids.n, 'group', ids.n % ${GROUPS}, 'title', 'Record ' || ids.n, 'done', ids.n % 2 = 0), FALSE
         FROM unnest($3::TEXT[]) WITH ORDINALITY AS ids(id, n)`,
        [parent, start + offset, ids],
      );
    }
    await client.query('ANALYZE objects');
  } finally {
    await client.end();
  }
}

export async function filteredPage(
  server: ServerHandle,
  count: number,
  timing: Timing,
  connections: number,
  ceiling: { reference: Ceiling | null; sliceSeconds: number },
  database = 'kinto_bench',
): Promise<ScenarioResult[]> {
  const base: ScenarioResult = {
    id: 'filtered-page@postgresql+redis',
    title: `Filtered page: 10 of ${count.toLocaleString('en')} records (?group=42), Basic auth`,
    backend: 'postgresql+redis',
    ceiling: 'ceiling-page',
    notes: [],
  };
  process.stdout.write(`  postgresql+redis: seeding ${count} records… `);
  try {
    await expectStatus(server.url, 'PUT', COLLECTION, [200, 201], { authorization: BASIC, body: {} });
    await seedRecords(database, count);
    const path = `${COLLECTION}/records?group=42&_limit=10`;
    const expected = count >= GROUPS * 10;
    const first = await expectStatus(server.url, 'GET', path, [200], { authorization: BASIC });
    const found = ((first.body as { data?: unknown[] }).data ?? []).length;
    if (expected && found !== 10) throw new Error(`the filtered page holds ${found} records, not 10`);
    process.stdout.write('measuring… ');
    const reference = ceiling.reference?.has('ceiling-page') ? ceiling.reference : null;
    const before = reference ? await reference.slice('ceiling-page', ceiling.sliceSeconds) : null;
    const measurement = await measure(
      server,
      {
        path,
        headers: { authorization: BASIC },
        check: (_status, body) => ((JSON.parse(body) as { data?: Array<{ group?: number }> }).data ?? []).every((r) => r.group === 42),
      },
      timing,
      connections,
    );
    const after = reference ? await reference.slice('ceiling-page', ceiling.sliceSeconds) : null;
    process.stdout.write(`${Math.round(measurement.requestsPerSecond)} req/s\n`);
    const slices = before !== null && after !== null ? { ceilingSlices: [before, after] } : {};
    return [{ ...base, measurement, ...slices, notes: [`${count / GROUPS} records match; sorted by -last_modified`] }];
  } catch (error) {
    process.stdout.write(`failed: ${(error as Error).message.split('\n')[0]}\n`);
    return [{ ...base, failed: (error as Error).message }];
  }
}
