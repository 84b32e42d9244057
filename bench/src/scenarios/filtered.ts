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

interface Variant {
  id: string;
  title: string;
  query: string;
  check: (records: Array<{ group?: number }>) => boolean;
  note: string;
}

async function measureVariant(server: ServerHandle, variant: Variant, timing: Timing, connections: number, ceiling: CeilingSlices): Promise<ScenarioResult> {
  const path = `${COLLECTION}/records?${variant.query}`;
  const base: ScenarioResult = { id: variant.id, title: variant.title, backend: 'postgresql+redis', ceiling: 'ceiling-page', notes: [variant.note] };
  const first = await expectStatus(server.url, 'GET', path, [200], { authorization: BASIC });
  const records = (first.body as { data?: Array<{ group?: number }> }).data ?? [];
  if (records.length !== 10 || !variant.check(records)) throw new Error(`${path} answered ${records.length} records, not the 10 expected`);
  const reference = ceiling.reference?.has('ceiling-page') ? ceiling.reference : null;
  const before = reference ? await reference.slice('ceiling-page', ceiling.sliceSeconds) : null;
  const load = {
    path,
    headers: { authorization: BASIC },
    check: (_status: number, body: string) => variant.check((JSON.parse(body) as { data?: Array<{ group?: number }> }).data ?? []),
  };
  const measurement = await measure(server, load, timing, connections);
  const after = reference ? await reference.slice('ceiling-page', ceiling.sliceSeconds) : null;
  const slices = before !== null && after !== null ? { ceilingSlices: [before, after] } : {};
  return { ...base, measurement, ...slices };
}

interface CeilingSlices {
  reference: Ceiling | null;
  sliceSeconds: number;
}

/** The filtered page, next to the unfiltered first page of the same collection (what the filter costs). */
export async function filteredPage(
  server: ServerHandle,
  count: number,
  timing: Timing,
  connections: number,
  ceiling: CeilingSlices,
  database = 'kinto_bench',
): Promise<ScenarioResult[]> {
  const size = count.toLocaleString('en');
  const variants: Variant[] = [
    {
      id: 'big-page@postgresql+redis',
      title: `First page: 10 of ${size} records (?_limit=10), Basic auth`,
      query: '_limit=10',
      check: (records) => records.length === 10,
      note: 'sorted by -last_modified',
    },
    {
      id: 'filtered-page@postgresql+redis',
      title: `Filtered page: 10 of ${size} records (?group=42&_limit=10), Basic auth`,
      query: 'group=42&_limit=10',
      check: (records) => records.length === 10 && records.every((r) => r.group === 42),
      note: `${Math.floor(count / GROUPS).toLocaleString('en')} records match; sorted by -last_modified`,
    },
  ];
  process.stdout.write(`  postgresql+redis: seeding ${count} records… `);
  try {
    await expectStatus(server.url, 'PUT', COLLECTION, [200, 201], { authorization: BASIC, body: {} });
    await seedRecords(database, count);
    process.stdout.write('done\n');
  } catch (error) {
    process.stdout.write(`failed: ${(error as Error).message.split('\n')[0]}\n`);
    return variants.map((v) => ({ id: v.id, title: v.title, backend: 'postgresql+redis', notes: [], failed: `seeding: ${(error as Error).message}` }));
  }
  const results: ScenarioResult[] = [];
  for (const variant of variants) {
    process.stdout.write(`  postgresql+redis: ${variant.title}… `);
    try {
      const result = await measureVariant(server, variant, timing, connections, ceiling);
      process.stdout.write(`${Math.round(result.measurement!.requestsPerSecond)} req/s\n`);
      results.push(result);
    } catch (error) {
      process.stdout.write(`failed: ${(error as Error).message.split('\n')[0]}\n`);
      results.push({ id: variant.id, title: variant.title, backend: 'postgresql+redis', notes: [], failed: (error as Error).message });
    }
  }
  return results;
}
