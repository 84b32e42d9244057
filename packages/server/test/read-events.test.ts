// Read events (settings.md §4.4): reads stack no event unless someone listens
// (a hot-path saving), so the subscribed case must keep its payload and objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceReadEvent } from '@kinto-ts/core';
import { A_ID, expectStatus, kintoServer } from './resource-helpers.js';

const C1 = '/v1/buckets/b1/collections/c1';

test('GET of a list and of an object emit ResourceRead then AfterResourceRead with the objects read', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put(C1);
  const r1 = expectStatus(await c.put(`${C1}/records/r1`, { data: { v: 1 } }), 201);
  const seen: Array<{ type: string; event: ResourceReadEvent }> = [];
  c.kinto.registry.events.on('ResourceRead', (event) => void seen.push({ type: 'before', event }));
  c.kinto.registry.events.on('AfterResourceRead', (event) => void seen.push({ type: 'after', event }));

  const list = expectStatus(await c.get(`${C1}/records`), 200);
  assert.deepEqual(seen.map((s) => s.type), ['before', 'after']);
  assert.equal(seen[0]!.event.payload.action, 'read');
  assert.equal(seen[0]!.event.payload.user_id, A_ID);
  assert.equal(seen[0]!.event.payload.collection_id, 'c1');
  assert.deepEqual(seen[0]!.event.read_objects, list.data);

  seen.length = 0;
  expectStatus(await c.get(`${C1}/records/r1`), 200);
  assert.deepEqual(seen.map((s) => s.type), ['before', 'after']);
  assert.deepEqual(seen[0]!.event.read_objects.map((o) => o.id), [r1.data.id]);
});
