// Permissions and principals: kinto-api.md §15 items 144–150, §7.4–§7.6.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, A_ID, B, B_ID, C, C_ID, expectStatus, kintoServer } from './resource-helpers.js';

const C1 = '/v1/buckets/b1/collections/c1';

test('the creator is a writer; explicit_permissions=false keeps ACLs as sent (items 144–145)', async (t) => {
  const c = await kintoServer(t);
  for (const url of ['/v1/buckets/b1', `${C1}`, '/v1/buckets/b1/groups/g1', `${C1}/records/r1`]) {
    assert.deepEqual(expectStatus(await c.put(url), 201).permissions.write, [A_ID], url);
  }
  const strict = await kintoServer(t, { explicit_permissions: false });
  const body = expectStatus(
    await strict.put('/v1/buckets/b1', { permissions: { write: ['system.Authenticated'], read: ['ldap:chantal'] } }),
    201,
  );
  assert.deepEqual(body.permissions, { write: ['system.Authenticated'], read: ['ldap:chantal'] });
  // Without an explicit grant, the creator has no access left (only inheritance and settings count).
  expectStatus(await strict.put('/v1/buckets/b2'), 201);
  expectStatus(await strict.get('/v1/buckets/b2'), 403, 121);
  const hello = expectStatus(await strict.get('/v1/'), 200);
  assert.equal(hello.settings.explicit_permissions, false);
});

test('bucket writers reach everything inside; record:create holders (items 146–147)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1', { permissions: { write: [B_ID] } });
  await c.put(C1, { permissions: { 'record:create': [C_ID] } });
  await c.put(`${C1}/records/r1`, { data: { x: 1 } });
  await c.put('/v1/buckets/b1/groups/g1');
  for (const url of [C1, `${C1}/records/r1`, '/v1/buckets/b1/groups/g1']) {
    // B is not a direct writer: the ACL stays hidden until B writes and joins it.
    assert.deepEqual(expectStatus(await c.get(url, { auth: B }), 200).permissions, {});
    const patched = expectStatus(await c.patch(url, { data: { touched: true } }, { auth: B }), 200);
    assert.ok(patched.permissions.write.includes(B_ID));
  }

  const created = expectStatus(await c.post(`${C1}/records`, { data: { mine: true } }, { auth: C }), 201);
  const list = expectStatus(await c.get(`${C1}/records`, { auth: C }), 200);
  assert.deepEqual(list.data.map((r: { id: string }) => r.id), [created.data.id]);
  expectStatus(await c.get(`${C1}/records/r1`, { auth: C }), 403, 121);
  expectStatus(await c.get(C1, { auth: C }), 200);
});

test('a record writer deletes only that record from the list (item 148)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1');
  await c.put(C1);
  await c.put(`${C1}/records/theirs`, { permissions: { write: [B_ID] } });
  await c.put(`${C1}/records/mine`);
  const body = expectStatus(await c.delete(`${C1}/records`, { auth: B }), 200);
  assert.deepEqual(body.data.map((r: { id: string }) => r.id), ['theirs']);
  expectStatus(await c.get(`${C1}/records/mine`), 200);
  expectStatus(await c.delete(`${C1}/records`, { auth: C }), 403, 121);
});

test('settings principals (items 149–150)', async (t) => {
  const c = await kintoServer(t, { bucket_create_principals: 'system.Everyone', bucket_read_principals: 'system.Authenticated' });
  const body = expectStatus(await c.put('/v1/buckets/public', undefined, { auth: null }), 201);
  assert.deepEqual(body.permissions.write, ['system.Everyone']);
  await c.put('/v1/buckets/private');
  const list = expectStatus(await c.get('/v1/buckets', { auth: B }), 200);
  assert.deepEqual(list.data.map((b: { id: string }) => b.id).sort(), ['private', 'public']);
  expectStatus(await c.get('/v1/buckets/private', { auth: B }), 200);
  // bucket_read_principals applies to bucket requests only (§7.5).
  await c.put('/v1/buckets/private/collections/c');
  expectStatus(await c.get('/v1/buckets/private/collections/c', { auth: B }), 403, 121);
});

test('401 versus 403 versus 404 (§7.6)', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1', { permissions: { read: [B_ID] } });
  await c.put(C1);
  // Unknown object: 404 when the parent is readable, else 403/401.
  expectStatus(await c.get(`${C1}/records/nope`, { auth: B }), 404, 110);
  expectStatus(await c.get(`${C1}/records/nope`, { auth: C }), 403, 121);
  expectStatus(await c.get(`${C1}/records/nope`, { auth: null }), 401, 104);
  // Invalid credentials count as anonymous.
  expectStatus(await c.get(`${C1}/records/nope`, { auth: 'Basic !!!' }), 401, 104);
  // PUT on an unknown object needs create on the parent; with If-None-Match: * always.
  expectStatus(await c.put(`${C1}/records/r1`, {}, { auth: B }), 403, 121);
  await c.put(`${C1}/records/r1`, { permissions: { write: [B_ID] } });
  expectStatus(await c.put(`${C1}/records/r1`, {}, { auth: B }), 200);
  expectStatus(await c.put(`${C1}/records/r1`, {}, { auth: B, headers: { 'if-none-match': '*' } }), 403, 121);
  // Invalid ids are refused after the permission check.
  expectStatus(await c.get(`${C1}/records/%C3%A9t%C3%A9`, { auth: C }), 403, 121);
  const bad = expectStatus(await c.get(`${C1}/records/%C3%A9t%C3%A9`, { auth: A }), 400, 107);
  assert.deepEqual(bad.details[0], { location: 'path', name: null, description: 'Invalid object id' });
  expectStatus(await c.get(`${C1}/records/${'x'.repeat(1000)}`), 404, 110);
});

test('wildcards in URL ids never widen what a list shows', async (t) => {
  const c = await kintoServer(t);
  await c.put('/v1/buckets/b1', { permissions: { read: [B_ID] } });
  await c.put(C1, { permissions: { read: [B_ID] } });
  await c.put(`${C1}/records/r1`, { permissions: { read: [B_ID] } });
  for (const url of ['/v1/buckets/b*/collections', '/v1/buckets/*/collections/c1/records', '/v1/buckets/b1/collections/*/records']) {
    const r = await c.get(url, { auth: B });
    assert.ok(r.status === 403 || r.status === 404, `${url}: ${r.status}`);
  }
});
