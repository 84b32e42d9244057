// The Kinto requests of issue #9: a bucket readable by every authenticated user,
// a collection of 10 records (the page), and collections that creations fill.
import { BASIC, expectStatus, request } from '../http.js';
import type { LoadRequest } from '../load.js';

export const BUCKET = '/v1/buckets/bench';
export const PAGE = `${BUCKET}/collections/page/records`;
const CREATE = `${BUCKET}/collections/created/records`;
// Not `batched`: Kinto refuses any sub-request path containing `/batch` (recursion check, kinto-api.md).
const BATCH_TARGET = '/buckets/bench/collections/bulk/records';
export const BATCH_SIZE = 25;

function record(n: number): { data: Record<string, unknown> } {
  return { data: { title: `Record ${n}`, done: n % 2 === 0, n, tags: ['bench', `group-${n % 3}`] } };
}

/** Null when the server has Kinto's resources; otherwise why the record scenarios cannot run. */
export async function resourcesMissing(base: string): Promise<string | null> {
  const answer = await request(base, 'GET', '/v1/buckets', { authorization: BASIC });
  return answer.status === 200 ? null : `GET /v1/buckets answered ${answer.status} (resources not in this build)`;
}

/** Creates the bucket, the collections and the 10-record page; returns the page's bytes. */
export async function seed(base: string): Promise<Buffer> {
  const auth = { authorization: BASIC };
  await expectStatus(base, 'PUT', BUCKET, [200, 201], { ...auth, body: { permissions: { read: ['system.Authenticated'] } } });
  for (const name of ['page', 'created', 'bulk']) {
    await expectStatus(base, 'PUT', `${BUCKET}/collections/${name}`, [200, 201], { ...auth, body: {} });
  }
  const existing = await expectStatus(base, 'GET', PAGE, [200], auth);
  const count = ((existing.body as { data?: unknown[] }).data ?? []).length;
  for (let n = count; n < 10; n++) await expectStatus(base, 'POST', PAGE, [201], { ...auth, body: record(n) });
  const page = await expectStatus(base, 'GET', PAGE, [200], auth);
  const records = (page.body as { data?: unknown[] }).data ?? [];
  if (records.length !== 10) throw new Error(`the page holds ${records.length} records, not 10`);
  return page.bytes;
}

export const helloRequest: LoadRequest = { path: '/v1/' };

export function pageRequest(authorization: string): LoadRequest {
  return { path: PAGE, headers: { authorization }, check: (_status, body) => body.includes('"Record 9"') };
}

export const createRequest: LoadRequest = {
  method: 'POST',
  path: CREATE,
  headers: { authorization: BASIC },
  body: JSON.stringify(record(1)),
};

export const batchRequest: LoadRequest = {
  method: 'POST',
  path: '/v1/batch',
  headers: { authorization: BASIC },
  body: JSON.stringify({
    defaults: { method: 'POST', path: BATCH_TARGET },
    requests: Array.from({ length: BATCH_SIZE }, (_, n) => ({ body: record(n) })),
  }),
  // A batch answers 200 whatever its sub-requests did: each of them must have created a record.
  check: (_status, body) => {
    const responses = (JSON.parse(body) as { responses?: Array<{ status?: number }> }).responses ?? [];
    return responses.length === BATCH_SIZE && responses.every((r) => r.status === 201);
  },
};
