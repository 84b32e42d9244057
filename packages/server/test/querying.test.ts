// Filters, sorting, pagination and `_fields`: kinto-api.md §15 items 114–143, §6.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectStatus, kintoServer, type Client } from './resource-helpers.js';

const R = '/v1/buckets/b1/collections/c1/records';

async function ids(c: Client, query: string): Promise<string[]> {
  const body = expectStatus(await c.get(`${R}?${query}`), 200);
  return body.data.map((o: { id: string }) => o.id).sort();
}

async function seed(c: Client, records: Array<Record<string, unknown>>): Promise<void> {
  await c.put('/v1/buckets/b1');
  await c.put('/v1/buckets/b1/collections/c1');
  for (const data of records) expectStatus(await c.put(`${R}/${String(data.id)}`, { data }), 201);
}

test('equality, typing and nested filters (items 114–117, 126)', async (t) => {
  const c = await kintoServer(t);
  await seed(c, [
    { id: 'a', flavor: 'strawberry', author: null, attributes: { ibu: 25, seen_on: '2017-06-01' }, orders: [], party: { voters: 1 } },
    { id: 'b', flavor: 'vanilla', author: 'Ben', attributes: { ibu: 25 }, orders: [1], party: { voters: 2 } },
    { id: 'c', flavor: 2, party: 'none' },
    { id: 'd', flavor: '2' },
  ]);
  assert.deepEqual(await ids(c, 'flavor="strawberry"'), ['a']);
  assert.deepEqual(await ids(c, 'flavor=strawberry'), ['a']);
  assert.deepEqual(await ids(c, 'flavor=2'), ['c']);
  assert.deepEqual(await ids(c, 'flavor="2"'), ['d']);
  assert.deepEqual(await ids(c, 'author=null'), ['a']);
  assert.deepEqual(await ids(c, 'author=Ben'), ['b']);
  assert.deepEqual(await ids(c, `attributes=${encodeURIComponent('{"ibu": 25, "seen_on": "2017-06-01"}')}`), ['a']);
  assert.deepEqual(await ids(c, 'orders=[]'), ['a']);
  assert.deepEqual(await ids(c, 'party.voters=1'), ['a']);
  assert.deepEqual(await ids(c, 'eq_party.voters=2'), ['b']);
});

test('comparison operators (items 118–125, 143)', async (t) => {
  const c = await kintoServer(t);
  await seed(c, [
    { id: 's0', status: 0, title: 'Foo', colors: ['red'], sometimes: null, unread: true },
    { id: 's1', status: 1, title: 'Monday', colors: ['red', 'blue'], unread: false },
    { id: 's2', status: 2, title: 'Mozart', colors: 'red', sometimes: 1 },
    { id: 's3', status: 3, title: 10 },
    { id: 'nostatus' },
  ]);
  assert.deepEqual(await ids(c, 'in_status=0,1'), ['s0', 's1']);
  assert.deepEqual(await ids(c, 'exclude_status=0'), ['nostatus', 's1', 's2', 's3']);
  assert.deepEqual(await ids(c, 'not_status=2'), ['nostatus', 's0', 's1', 's3']);
  assert.deepEqual(await ids(c, 'lt_status=2'), ['s0', 's1']);
  assert.deepEqual(await ids(c, 'gt_status=2'), ['nostatus', 's3']);
  assert.deepEqual(await ids(c, 'min_status=2'), ['nostatus', 's2', 's3']);
  assert.deepEqual(await ids(c, 'max_status=2'), ['s0', 's1', 's2']);
  assert.deepEqual(await ids(c, 'like_title=FoO'), ['s0']);
  assert.deepEqual(await ids(c, 'like_title=Mo*'), ['s1', 's2']);
  let body = expectStatus(await c.get(`${R}?like_title=10`), 400, 107);
  assert.equal(body.message, 'Invalid value for like_title');
  assert.deepEqual(await ids(c, 'has_sometimes=true'), ['s0', 's2']);
  assert.deepEqual(await ids(c, 'has_sometimes=false'), ['nostatus', 's1', 's3']);
  assert.deepEqual(await ids(c, `contains_colors=${encodeURIComponent('["red","blue"]')}`), ['s1']);
  assert.deepEqual(await ids(c, `contains_any_colors=${encodeURIComponent('["red","blue"]')}`), ['s0', 's1']);
  assert.deepEqual(await ids(c, 'contains_colors=red'), ['s0', 's1']);
  body = expectStatus(await c.get(`${R}?contains_id=foo`), 400, 107);
  assert.deepEqual(body.details[0], { location: 'querystring', name: 'contains_id', description: "Field 'id' is not an array" });
  expectStatus(await c.get(`${R}?in_id=1,2`), 400, 107);
  expectStatus(await c.get(`${R}?in_last_modified=a,b`), 400, 107);
  body = expectStatus(await c.get(`${R}?title=a%00b`), 400, 107);
  assert.equal(body.details[0].description, 'Invalid character 0x00');
  expectStatus(await c.get(`${R}?last_modified=abc`), 400, 107);
  expectStatus(await c.get(`${R}?unknown_param_on_records=1`), 200);
});

test('_since, _before, _to and tombstones (items 127–131)', async (t) => {
  const c = await kintoServer(t);
  await seed(c, [{ id: 'old' }]);
  const since = Number(String((await c.get(R)).headers.etag).slice(1, -1));
  await c.put(`${R}/new`, { data: {} });
  const deletedAt = expectStatus(await c.delete(`${R}/old`), 200).data.last_modified as number;
  let body = expectStatus(await c.get(`${R}?_since=${since}`), 200);
  assert.deepEqual(body.data.map((o: { id: string; deleted?: boolean }) => [o.id, o.deleted ?? false]).sort(), [['new', false], ['old', true]]);
  assert.equal(expectStatus(await c.get(`${R}?_since="${since}"`), 200).data.length, 2);
  body = expectStatus(await c.get(`${R}?_since=${Date.now() + 3 * 24 * 3600 * 1000}`), 400, 107);
  assert.equal(body.message, 'Invalid value for _since');
  body = expectStatus(await c.get(`${R}?_since=abc`), 400, 107);
  assert.equal(body.message, '_since in querystring: "abc" is not a number');
  body = expectStatus(await c.get(`${R}?_since=-1`), 400, 107);
  assert.equal(body.message, '_since in querystring: -1 is less than minimum value 0');
  body = expectStatus(await c.get(`${R}?_since=1&_since=2`), 400, 107);
  assert.equal(body.message, `_since in querystring: "['1', '2']" is not a number`);
  const to = await c.get(`${R}?_to=${deletedAt}`);
  assert.deepEqual(expectStatus(to, 200).data.map((o: { id: string }) => o.id), ['new']);
  assert.equal(JSON.parse(String(to.headers.alert)).code, 'soft-eol');
  assert.deepEqual(await ids(c, `_before=${deletedAt}`), ['new']);
  assert.equal((await c.get(`${R}?_before=${deletedAt}`)).headers.alert, undefined);
  assert.deepEqual(await ids(c, 'deleted=true'), []);
  assert.deepEqual(await ids(c, '_since=null'), ['new']);
});

test('sorting (items 132–133)', async (t) => {
  const c = await kintoServer(t);
  await seed(c, [
    { id: 'x', name: 'b', status: 1, title: 'z', unread: true },
    { id: 'y', name: 'c', status: 0, title: 'a', unread: false },
    { id: 'z', name: 'a', status: 1, title: 'a' },
  ]);
  const order = async (q: string) => expectStatus(await c.get(`${R}?${q}`), 200).data.map((o: { id: string }) => o.id);
  assert.deepEqual(await order('_sort=-name'), ['y', 'x', 'z']);
  assert.deepEqual(await order('_sort=status,-title'), ['y', 'x', 'z']);
  assert.deepEqual(await order('_sort=unread'), ['y', 'x', 'z']);
  assert.deepEqual(await order('_sort=-unread'), ['z', 'x', 'y']);
  assert.deepEqual(await order('_sort=last_modified'), ['x', 'y', 'z']);
  assert.deepEqual(await order(''), ['z', 'y', 'x']);
});

test('pagination (items 134–140)', async (t) => {
  const c = await kintoServer(t, { paginate_by: 5 });
  await seed(c, Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, n: i })));
  let reply = await c.get(`${R}?_limit=10&_sort=n`);
  let body = expectStatus(reply, 200);
  assert.equal(body.data.length, 5);
  const seen: string[] = body.data.map((o: { id: string }) => o.id);
  let next = String(reply.headers['next-page']);
  assert.match(next, /_limit=5/);
  assert.match(next, /_token=/);
  assert.match(next, /_sort=n/);
  while (next !== 'undefined') {
    reply = await c.get(new URL(next).pathname + new URL(next).search);
    body = expectStatus(reply, 200);
    seen.push(...body.data.map((o: { id: string }) => o.id));
    next = String(reply.headers['next-page']);
  }
  assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => `r${i}`));

  body = expectStatus(await c.get(`${R}?_token=abc`), 400, 107);
  assert.equal(body.message, 'querystring: _token has invalid content');
  body = expectStatus(await c.get(`${R}?_token=123`), 400, 107);
  assert.equal(body.message, "123 is not a string: {'_token': ''}");
  expectStatus(await c.get(`${R}?_token=${Buffer.from('[1]').toString('base64')}`), 400, 107);
  expectStatus(await c.get(`${R}?_limit=abc`), 400, 107);
  body = expectStatus(await c.get(`${R}?_limit=-1`), 400, 107);
  assert.equal(body.message, '_limit in querystring: -1 is less than minimum value 0');

  const head = await c.request('HEAD', `${R}?n=1`);
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers['total-objects'], '1');
  assert.equal(head.headers['total-records'], '1');
  assert.equal((await c.get(R)).headers['total-objects'], undefined);
});

test('pagination without paginate_by, and an exactly-full last page', async (t) => {
  const c = await kintoServer(t);
  await seed(c, Array.from({ length: 20 }, (_, i) => ({ id: `r${i}` })));
  const first = await c.get(`${R}?_limit=10`);
  assert.equal(first.body.data.length, 10);
  const next = new URL(String(first.headers['next-page']));
  const second = await c.get(next.pathname + next.search);
  assert.equal(second.body.data.length, 10);
  assert.equal(second.headers['next-page'], undefined);
  const all = [...first.body.data, ...second.body.data].map((o: { id: string }) => o.id);
  assert.equal(new Set(all).size, 20);
  // `_limit=10^9` is capped by storage_max_fetch_size: bounded work, no 500.
  assert.equal(expectStatus(await c.get(`${R}?_limit=1000000000`), 200).data.length, 20);
});

test('DELETE with filters and single-use tokens (item 138)', async (t) => {
  const c = await kintoServer(t);
  await seed(c, Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, even: i % 2 === 0 })));
  let reply = await c.delete(`${R}?even=true&_limit=2`);
  assert.equal(expectStatus(reply, 200).data.length, 2);
  const next = new URL(String(reply.headers['next-page']));
  reply = await c.delete(next.pathname + next.search);
  assert.equal(expectStatus(reply, 200).data.length, 1);
  const body = expectStatus(await c.delete(next.pathname + next.search), 400, 107);
  assert.equal(body.message, 'querystring: _token was already used or has expired.');
  assert.deepEqual(await ids(c, ''), ['r1', 'r3', 'r5']);
});

test('_fields (items 141–142)', async (t) => {
  const c = await kintoServer(t);
  await seed(c, [{ id: 'r1', title: 't', body: 'b', orig: { foo: 1, bar: 2 } }]);
  let body = expectStatus(await c.get(`${R}?_fields=title`), 200);
  assert.deepEqual(Object.keys(body.data[0]).sort(), ['id', 'last_modified', 'title']);
  body = expectStatus(await c.get(`${R}?_fields=orig.foo`), 200);
  assert.deepEqual(body.data[0].orig, { foo: 1 });
  body = expectStatus(await c.get(`${R}/r1?_fields=title`), 200);
  assert.equal(body.permissions, undefined);
  assert.deepEqual(Object.keys(body.data).sort(), ['id', 'last_modified', 'title']);
});

test('hostile querystrings stay bounded and never 500 (§11.4)', async (t) => {
  const c = await kintoServer(t);
  await seed(c, [{ id: 'r1', title: 'x' }, { id: 'r2' }]);
  const long = 'a'.repeat(10 * 1024);
  expectStatus(await c.get(`${R}?${long}=1`), 400, 107);
  expectStatus(await c.get(`${R}?_sort=${long}`), 400, 107);
  expectStatus(await c.get(`${R}?like_title=x`), 200);
  expectStatus(await c.get(`${R}?title=%FF`), 400, 107);
  expectStatus(await c.get(`${R}?_limit=${'9'.repeat(30)}`), 400, 107);
  expectStatus(await c.get(`${R}?_since=${'9'.repeat(30)}`), 400, 107);
  // Only the objects' own fields exist: nothing inherited from Object.prototype.
  assert.deepEqual(await ids(c, 'has_constructor=true'), []);
  assert.deepEqual(await ids(c, 'has_toString=true'), []);
  const dotted = 'x' + '.x'.repeat(120);
  expectStatus(await c.get(`${R}?${dotted}=1`), 200);
  const bad = expectStatus(await c.get(`${R}?a=%E0%A4%A`), 400, 107);
  assert.match(bad.message, /incorrect encoding in the querystring/);
});
