// Resource events (settings.md §4.4): payloads, merging per request and batch, and
// the before/after-commit split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceChangedEvent } from '@kinto-ts/core';
import { A_ID, expectStatus, kintoServer } from './resource-helpers.js';

const C1 = '/v1/buckets/b1/collections/c1';

test('every write emits ResourceChanged then AfterResourceChanged', async (t) => {
  const c = await kintoServer(t);
  const seen: Array<{ type: string; event: ResourceChangedEvent }> = [];
  c.kinto.registry.events.on('ResourceChanged', (event) => void seen.push({ type: 'before', event }));
  c.kinto.registry.events.on('AfterResourceChanged', (event) => void seen.push({ type: 'after', event }));
  await c.put('/v1/buckets/b1');
  await c.put(C1);
  seen.length = 0;

  const created = expectStatus(await c.put(`${C1}/records/r1`, { data: { v: 1 } }), 201);
  assert.deepEqual(seen.map((s) => s.type), ['before', 'after']);
  const { payload, impacted_objects: impacted } = seen[0]!.event;
  assert.deepEqual(
    { ...payload },
    {
      timestamp: created.data.last_modified,
      action: 'create',
      uri: '/buckets/b1/collections/c1/records/r1',
      user_id: A_ID,
      resource_name: 'record',
      bucket_id: 'b1',
      collection_id: 'c1',
      record_id: 'r1',
    },
  );
  assert.deepEqual(impacted, [{ new: created.data }]);

  seen.length = 0;
  const updated = expectStatus(await c.patch(`${C1}/records/r1`, { data: { v: 2 } }), 200);
  assert.equal(seen[0]!.event.payload.action, 'update');
  assert.deepEqual(seen[0]!.event.impacted_objects, [{ new: updated.data, old: created.data }]);

  seen.length = 0;
  await c.put(`${C1}/records/r2`, { data: {} });
  seen.length = 0;
  const deleted = expectStatus(await c.delete(`${C1}/records`), 200);
  const before = seen.filter((s) => s.type === 'before');
  assert.equal(before.length, 1, 'one event for the whole list deletion');
  assert.equal(before[0]!.event.payload.action, 'delete');
  assert.deepEqual(before[0]!.event.impacted_objects.map((i) => i.new).sort((a, b) => a.id.localeCompare(b.id)), [...deleted.data].sort((a, b) => a.id.localeCompare(b.id)));
  for (const change of before[0]!.event.impacted_objects) assert.equal(change.old?.id, change.new.id);

  // Reads emit no change event.
  seen.length = 0;
  await c.get(`${C1}/records`);
  assert.deepEqual(seen, []);
});

test('a failing ResourceChanged subscriber aborts the request; After* failures are only logged', async (t) => {
  const c = await kintoServer(t);
  let failBefore = true;
  c.kinto.registry.events.on('ResourceChanged', () => {
    if (failBefore) throw new Error('subscriber failure');
  });
  const r = await c.kinto.app.inject({ method: 'PUT', url: '/v1/buckets/b1', headers: { authorization: 'Basic bWF0OnNlY3JldA==' } });
  assert.equal(r.statusCode, 500);
  failBefore = false;
  c.kinto.registry.events.on('AfterResourceChanged', () => {
    throw new Error('after failure');
  });
  expectStatus(await c.put('/v1/buckets/b2'), 201);
});

test('events of a batch are merged per resource, parent and action', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put(C1);
  const events: ResourceChangedEvent[] = [];
  c.kinto.registry.events.on('ResourceChanged', (event) => void events.push(event));
  const reply = await c.post('/v1/batch', {
    defaults: { method: 'PUT' },
    requests: [
      { path: '/buckets/b1/collections/c1/records/r1', body: { data: {} } },
      { path: '/buckets/b1/collections/c1/records/r2', body: { data: {} } },
      { path: '/buckets/b1/collections/c2' },
    ],
  });
  assert.deepEqual(expectStatus(reply, 200).responses.map((r: { status: number }) => r.status), [201, 201, 201]);
  assert.deepEqual(
    events.map((e) => [e.payload.resource_name, e.payload.action, e.impacted_objects.length]),
    [
      ['record', 'create', 2],
      ['collection', 'create', 1],
    ],
  );
});
