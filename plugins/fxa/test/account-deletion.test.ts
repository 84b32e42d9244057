// Default buckets per FxA client and what a `delete` account event removes
// (fxa.md §3, §10.3; checklist 28, 72, 73): data written over HTTP with FxA tokens,
// deletion checked in the real storage and permission backends — memory, and
// PostgreSQL when it is reachable (required under CI=true).
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ObjectNotFoundError, createBackends, isMigratable, type KintoApp } from '@kinto-ts/core';
import { createTestDatabase, serviceSkip, testSettings, type TestDatabase } from '@kinto-ts/core/testing';
import { defaultBucketId } from '@kinto-ts/server';
import { processorFor } from '../src/account-events/cli.js';
import type { FakeFxa } from './fixtures/fxa-server/server.js';
import { bearer, fxaSettings, startFxa, startKinto } from './helpers.js';

const NOTES = 'https://identity.mozilla.org/apps/notes';
const LOCKBOX = 'https://identity.mozilla.org/apps/lockbox';
const pgSkip = await serviceSkip('postgresql');
const databases: TestDatabase[] = [];
after(() => Promise.all(databases.map((db) => db.drop())));

async function postgresql(): Promise<Record<string, unknown>> {
  const db = await createTestDatabase('fxa_account_events');
  databases.push(db);
  const values = {
    storage_backend: 'kinto.core.storage.postgresql',
    storage_url: db.url,
    permission_backend: 'kinto.core.permission.postgresql',
    permission_url: db.url,
  };
  const backends = await createBackends({ settings: testSettings(values), log: pino({ level: 'silent' }) });
  for (const backend of [backends.storage, backends.permission]) if (isMigratable(backend)) await backend.migrate();
  await Promise.all([backends.storage.close(), backends.permission.close(), backends.cache.close()]);
  return values;
}

function settings(fxa: FakeFxa, extra: Record<string, unknown> = {}) {
  return fxaSettings(fxa, {
    includes: 'kinto.plugins.default_bucket kinto_fxa',
    'fxa-oauth.required_scope': null,
    'fxa-oauth.clients.notes.client_id': 'c73e46074a948932',
    'fxa-oauth.clients.notes.required_scope': `profile ${NOTES}`,
    'fxa-oauth.clients.lockbox.client_id': '299062f8b3838932',
    'fxa-oauth.clients.lockbox.required_scope': `profile ${LOCKBOX}`,
    ...extra,
  });
}

async function call(kinto: KintoApp, method: string, url: string, token: string, body?: unknown) {
  const response = await kinto.app.inject({ method: method as 'GET', url, headers: bearer(token), payload: body as object | undefined });
  assert.ok(response.statusCode < 500, `${method} ${url}: ${response.body}`);
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> & { data?: unknown } };
}

async function bucketOf(kinto: KintoApp, token: string): Promise<string> {
  const { body } = await call(kinto, 'GET', '/v1/', token);
  return String((body.user as { bucket: string }).bucket);
}

/** Everything stored under a bucket, tombstones included, and its permissions. */
async function traces(kinto: KintoApp, bucketId: string): Promise<unknown[]> {
  const { storage, permission } = kinto.registry;
  const uri = `/buckets/${bucketId}`;
  const found: unknown[] = [];
  const buckets = await storage.listAll('bucket', '', { includeDeleted: true, filters: [{ field: 'id', operator: 'eq', value: bucketId }] });
  found.push(...buckets);
  for (const name of ['collection', 'group']) found.push(...(await storage.listAll(name, uri, { includeDeleted: true })));
  found.push(...(await storage.listAll('record', `${uri}/*`, { includeDeleted: true })));
  for (const id of [uri, `${uri}/collections/tasks`, `${uri}/groups/friends`]) {
    const acl = await permission.getObjectPermissions(id);
    if (Object.keys(acl).length) found.push({ acl: id });
  }
  return found;
}

const backends: Array<[string, () => Promise<Record<string, unknown>>, string | false]> = [
  ['memory', async () => ({}), false],
  ['PostgreSQL', postgresql, pgSkip],
];

for (const [label, backendSettings, skip] of backends) {
  test(`a delete event removes both client default buckets of the user and nothing else (${label})`, { skip }, async (t: TestContext) => {
    const fxa = await startFxa(t);
    const kinto = await startKinto(t, settings(fxa, await backendSettings()));
    const aNotes = await fxa.mint({ user: 'aaaa', scope: ['profile', NOTES] });
    const aLockbox = await fxa.mint({ user: 'aaaa', scope: ['profile', LOCKBOX] });
    const bNotes = await fxa.mint({ user: 'bbbb', scope: ['profile', NOTES] });

    const records = '/v1/buckets/default/collections/tasks/records';
    for (const token of [aNotes, aLockbox, bNotes]) {
      assert.equal((await call(kinto, 'PUT', `${records}/r1`, token, { data: { title: 'one' } })).status, 201);
    }
    await call(kinto, 'PUT', `${records}/r2`, aNotes, { data: { title: 'two' } });
    assert.equal((await call(kinto, 'DELETE', `${records}/r2`, aNotes)).status, 200);
    assert.equal((await call(kinto, 'PUT', '/v1/buckets/default/groups/friends', aNotes, { data: { members: ['fxa:bbbb'] } })).status, 201);

    // Isolated default buckets per client (checklist 28) ...
    const [notesBucket, lockboxBucket, bBucket] = await Promise.all([aNotes, aLockbox, bNotes].map((tk) => bucketOf(kinto, tk)));
    assert.notEqual(notesBucket, lockboxBucket);
    assert.equal(notesBucket, defaultBucketId('', 'fxa:aaaa-notes'));
    assert.equal((await call(kinto, 'GET', `/v1/buckets/${notesBucket}/collections/tasks/records`, aLockbox)).status, 403);
    // ... which the user can share across apps by granting fxa:{uid}.
    const grant = await call(kinto, 'PATCH', `/v1/buckets/${notesBucket}/collections/tasks`, aNotes, { permissions: { read: ['fxa:aaaa'] } });
    assert.equal(grant.status, 200);
    const shared = await call(kinto, 'GET', `/v1/buckets/${notesBucket}/collections/tasks/records`, aLockbox);
    assert.equal(shared.status, 200);
    assert.deepEqual((shared.body.data as Array<{ id: string }>).map((r) => r.id), ['r1']);
    assert.equal((await call(kinto, 'GET', `/v1/buckets/${notesBucket}/collections/tasks/records`, bNotes)).status, 403);
    // A deleted bucket leaves a tombstone, which the event removes too.
    assert.equal((await call(kinto, 'DELETE', '/v1/buckets/default', aLockbox)).status, 200);

    assert.notDeepEqual(await traces(kinto, notesBucket), []);
    assert.equal(await processorFor(kinto).process(JSON.stringify({ Message: JSON.stringify({ event: 'delete', uid: 'aaaa' }) })), 'deleted');

    assert.deepEqual(await traces(kinto, notesBucket), []);
    assert.deepEqual(await traces(kinto, lockboxBucket), []);
    await assert.rejects(kinto.registry.storage.get('bucket', '', notesBucket), ObjectNotFoundError);
    const other = await call(kinto, 'GET', `/v1/buckets/${bBucket}/collections/tasks/records`, bNotes);
    assert.deepEqual((other.body.data as Array<{ id: string }>).map((r) => r.id), ['r1'], "another user's data is untouched");
    const again = await call(kinto, 'GET', records, aNotes);
    assert.deepEqual(again.body.data, [], 'the user starts afresh');
  });
}

test('the bucket ids honour default_bucket_hmac_secret', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, settings(fxa, { default_bucket_hmac_secret: 'efghi', userid_hmac_secret: 'other' }));
  const token = await fxa.mint({ user: 'abcd', scope: ['profile', NOTES] });
  await call(kinto, 'PUT', '/v1/buckets/default/collections/tasks/records/r1', token, { data: {} });
  const bucket = defaultBucketId('efghi', 'fxa:abcd-notes');
  assert.equal(bucket, 'b8a7b9f2-5418-42bb-e104-3fdcdf788ffc');
  assert.equal(await bucketOf(kinto, token), bucket);
  await processorFor(kinto).process(JSON.stringify({ Message: JSON.stringify({ event: 'delete', uid: 'abcd' }) }));
  assert.deepEqual(await traces(kinto, bucket), []);
});
