// `POST /v1/batch` with core-only services (kinto-api.md §10.5, §11.4; checklist
// 151–162): hello, heartbeats and a test plugin's echo/failure services. Resource
// sub-requests, schemas inside batches and transactions on PostgreSQL are covered in
// packages/server/test/batch.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { BackendError, conflict, definePlugin, type KintoApp, type PolicyFactory } from '../src/index.js';
import { assertKintoError, basicAuth, buildServer } from '../src/testing/index.js';
import { unquote } from '../src/views/batch.js';

interface Sub {
  status: number;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

const echoPlugin = definePlugin({
  name: 'echo',
  includeme(api) {
    const echo = (request: FastifyRequest) => ({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body ?? null,
    });
    api.service({ name: 'echo', path: '/echo', methods: { GET: echo, POST: echo, PUT: echo, PATCH: echo, DELETE: echo } });
    api.service({ name: 'conflict', path: '/conflict', methods: { POST: () => { throw conflict(); } } });
    api.service({ name: 'crash', path: '/crash', methods: { GET: () => { throw new Error('boom'); } } });
    api.service({ name: 'outage', path: '/outage', methods: { GET: () => { throw new BackendError('db down'); } } });
  },
});

async function server(t: { after: (fn: () => Promise<void>) => void }, settings: Record<string, unknown> = {}, plugins = {}): Promise<KintoApp> {
  const kinto = await buildServer({ includes: 'echo', ...settings }, { plugins: { echo: echoPlugin, ...plugins } });
  t.after(() => kinto.close());
  return kinto;
}

async function batch(kinto: KintoApp, body: unknown, headers: Record<string, string> = {}) {
  return kinto.app.inject({ method: 'POST', url: '/v1/batch', payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
}

async function responses(kinto: KintoApp, body: unknown, headers: Record<string, string> = {}): Promise<Sub[]> {
  const r = await batch(kinto, body, headers);
  assert.equal(r.statusCode, 200, r.body);
  return (JSON.parse(r.body) as { responses: Sub[] }).responses;
}

test('an empty batch answers 200 without authentication (checklist 151)', async (t) => {
  const kinto = await server(t);
  const r = await batch(kinto, { requests: [] });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(JSON.parse(r.body), { responses: [] });
});

test('a batch without requests is a 400 naming requests (checklist 152)', async (t) => {
  const kinto = await server(t);
  for (const body of [{}, undefined]) {
    const r = await kinto.app.inject({ method: 'POST', url: '/v1/batch', payload: body === undefined ? '' : JSON.stringify(body) });
    const error = assertKintoError(r, { code: 400, errno: 107, message: 'requests in body: Required' });
    assert.deepEqual(error.details, [{ location: 'body', name: 'requests', description: 'Required' }]);
  }
});

test('paths are prefixed with /v1 and reported decoded, without the query (checklist 153)', async (t) => {
  const kinto = await server(t);
  const [hello, echo, already] = await responses(kinto, {
    requests: [{ path: '/' }, { path: '/echo?a=1&b=%C3%A9' }, { path: '/v1/echo' }],
  });
  assert.equal(hello!.status, 200);
  assert.equal(hello!.path, '/v1/');
  assert.equal((hello!.body as { http_api_version: string }).http_api_version, '1.23');
  assert.equal(hello!.headers['Content-Type'], 'application/json');
  assert.equal(echo!.path, '/v1/echo');
  assert.equal((echo!.body as { url: string }).url, '/v1/echo?a=1&b=%C3%A9');
  assert.equal(already!.path, '/v1/echo');
});

test('defaults apply to every request (checklist 154)', async (t) => {
  const kinto = await server(t);
  const [r] = await responses(kinto, { defaults: { method: 'POST' }, requests: [{ path: '/v1/' }] });
  assert.equal(r!.status, 405);
  assert.equal((r!.body as { errno: number }).errno, 115);
});

test('defaults merge recursively, the sub-request winning; clashing types keep its own value (§11.4)', async (t) => {
  const kinto = await server(t);
  const [merged, clash, scalar] = await responses(kinto, {
    defaults: { method: 'POST', path: '/echo', headers: { 'X-A': 'default', 'X-B': 'default' }, body: { data: { a: 1, n: { x: 1 } } } },
    requests: [
      { headers: { 'X-B': 'own' }, body: { data: { b: 2, n: { y: 2 } } } },
      { body: { data: 5 } },
      { method: 'PUT', body: { data: { n: 'scalar' } } },
    ],
  });
  const echoed = merged!.body as { method: string; headers: Record<string, string>; body: unknown };
  assert.equal(echoed.method, 'POST');
  assert.equal(echoed.headers['x-a'], 'default');
  assert.equal(echoed.headers['x-b'], 'own');
  assert.deepEqual(echoed.body, { data: { a: 1, b: 2, n: { x: 1, y: 2 } } });
  assert.equal(clash!.status, 200);
  assert.deepEqual((clash!.body as { body: unknown }).body, { data: 5 });
  assert.deepEqual((scalar!.body as { method: string; body: unknown }).body, { data: { a: 1, n: 'scalar' } });
  assert.equal((scalar!.body as { method: string }).method, 'PUT');
});

test('batch_max_requests limits the batch; 0 means unlimited (checklist 155)', async (t) => {
  const kinto = await server(t);
  const many = (n: number) => ({ requests: Array.from({ length: n }, () => ({ path: '/__lbheartbeat__' })) });
  assertKintoError(await batch(kinto, many(26)), { code: 400, errno: 107, message: 'Number of requests is limited to 25' });
  assert.equal((await responses(kinto, many(25))).length, 25);
  const unlimited = await server(t, { batch_max_requests: 0 });
  assert.equal((await responses(unlimited, many(40))).length, 40);
  const two = await server(t, { batch_max_requests: 2 });
  assertKintoError(await batch(two, many(3)), { code: 400, message: 'Number of requests is limited to 2' });
});

test('recursive batches are refused, also through an encoded path (checklist 156)', async (t) => {
  const kinto = await server(t);
  for (const path of ['/v1/batch', '/batch', '/buckets/batched', '/%2Fbatch', '/v1/%62atch', '/v1/batc%68/']) {
    assertKintoError(await batch(kinto, { requests: [{ path, method: 'POST' }] }), {
      code: 400,
      message: 'requests in body: Recursive call on /batch endpoint is forbidden.',
    });
  }
});

test('malformed sub-requests make the whole batch a 400 naming the field (checklist 157, 158)', async (t) => {
  const kinto = await server(t);
  const cases: Array<[unknown, string, string]> = [
    [{ requests: [{ path: '/', method: 'get' }] }, 'requests.0.method', '"get" is not one of GET, HEAD, DELETE, TRACE, POST, PUT, PATCH'],
    [{ requests: [{ path: '/', headers: { Authorization: 1 } }] }, 'requests.0.headers', "{'Authorization': 1} contains non string value"],
    [{ requests: [{ path: '/', headers: { 'X-A': 'a\r\nX-Injected: 1' } }] }, 'requests.0.headers', 'Invalid header name or value'],
    [{ requests: [{ path: '/', headers: { 'Bad Name': 'x' } }] }, 'requests.0.headers', 'Invalid header name or value'],
    [{ requests: [{ method: 'GET' }] }, 'requests.0.path', 'Required'],
    [{ requests: [{ path: 'v1/' }] }, 'requests.0.path', 'String does not match expected pattern'],
    [{ requests: [{ path: 5 }] }, 'requests.0.path', "5 is not a string: {'path': ''}"],
    [{ requests: [{ path: '/', body: [1, 2] }] }, 'requests.0.body', '"[1, 2]" is not a mapping type: Does not implement dict-like functionality.'],
    [{ requests: [{ path: '/', body: null }] }, 'requests.0.body', '"None" is not a mapping type: Does not implement dict-like functionality.'],
    [{ requests: [{ path: '/', foo: 'bar' }] }, 'requests.0', `Unrecognized keys in mapping: "{'foo': 'bar'}"`],
    [{ requests: ['/'] }, 'requests.0', '"/" is not a mapping type: Does not implement dict-like functionality.'],
    [{ requests: { path: '/' } }, 'requests', `"{'path': '/'}" is not iterable`],
    [{ defaults: { method: 'get' }, requests: [] }, 'defaults.method', '"get" is not one of GET, HEAD, DELETE, TRACE, POST, PUT, PATCH'],
    [{ requests: [], extra: 1 }, '', `Unrecognized keys in mapping: "{'extra': 1}"`],
  ];
  for (const [body, name, description] of cases) {
    const error = assertKintoError(await batch(kinto, body), { code: 400, errno: 107 });
    assert.deepEqual((error.details as unknown[])[0], { location: 'body', name, description }, JSON.stringify(body));
  }
});

test('a JSON array as batch body is a 400, never a 500 (§11.4)', async (t) => {
  const kinto = await server(t);
  assertKintoError(await batch(kinto, [{ path: '/' }]), { code: 400, errno: 107, message: /is not a mapping type/ });
});

test('the batch itself accepts JSON only', async (t) => {
  const kinto = await server(t);
  const r = await kinto.app.inject({ method: 'POST', url: '/v1/batch', payload: '{"requests": []}', headers: { 'content-type': 'text/plain' } });
  assertKintoError(r, { code: 415, errno: 107 });
  assertKintoError(await kinto.app.inject({ method: 'GET', url: '/v1/batch' }), { code: 405, errno: 115 });
});

test('redirects are followed once and reported at their target (checklist 160)', async (t) => {
  const kinto = await server(t);
  const [r] = await responses(kinto, { requests: [{ path: '/__lbheartbeat__/' }] });
  assert.equal(r!.status, 200);
  assert.equal(r!.path, '/v1/__lbheartbeat__');
  assert.deepEqual(r!.body, {});
});

test('HEAD sub-requests have an empty string body (checklist 161)', async (t) => {
  const kinto = await server(t);
  const [r] = await responses(kinto, { requests: [{ method: 'HEAD', path: '/' }] });
  assert.equal(r!.status, 200);
  assert.equal(r!.body, '');
});

test('sub-requests inherit the batch Authorization unless they override it (checklist 162)', async (t) => {
  const kinto = await server(t);
  const user = (r: Sub) => (r.body as { user?: { id: string } }).user?.id;
  const [inherited, overridden, lower, anonymousBatch] = await responses(
    kinto,
    {
      requests: [
        { path: '/' },
        { path: '/', headers: { Authorization: basicAuth('alice') } },
        { path: '/', headers: { authorization: basicAuth('bob') } },
      ],
    },
    { authorization: basicAuth('mat') },
  ).then(async (list) => [...list, ...(await responses(kinto, { requests: [{ path: '/' }] }))]);
  assert.match(user(inherited!)!, /^basicauth:8a931a10/);
  assert.match(user(overridden!)!, /^basicauth:d5b00266/);
  assert.match(user(lower!)!, /^basicauth:c031ced2/);
  assert.equal(user(anonymousBatch!), undefined);
});

test('authentication runs once per Authorization header per batch', async (t) => {
  let calls = 0;
  const counting: PolicyFactory = () => ({
    authenticate: async (request) => {
      calls++;
      const header = request.headers.authorization;
      return header?.startsWith('Token ') ? { userId: header.slice(6) } : null;
    },
    challenge: () => null,
  });
  const plugin = definePlugin({ name: 'counting', includeme: (api) => api.addPolicy('counting', counting) });
  const kinto = await server(t, { includes: 'echo counting', 'multiauth.policies': 'counting' }, { counting: plugin });
  const list = await responses(
    kinto,
    { requests: [{ path: '/' }, { path: '/' }, { path: '/' }, { path: '/', headers: { Authorization: 'Token other' } }, { path: '/' }] },
    { authorization: 'Token me' },
  );
  assert.deepEqual(
    list.map((r) => (r.body as { user: { id: string } }).user.id),
    ['counting:me', 'counting:me', 'counting:me', 'counting:other', 'counting:me'],
  );
  assert.equal(calls, 2);
});

test('each sub-response carries its own status, headers and body; errors stay inline', async (t) => {
  const kinto = await server(t);
  const [unknown, method, conflicted, after] = await responses(kinto, {
    requests: [{ path: '/unknown' }, { path: '/', method: 'DELETE' }, { path: '/conflict', method: 'POST' }, { path: '/echo', method: 'PUT', body: { x: 1 } }],
  });
  assert.equal(unknown!.status, 404);
  assert.equal((unknown!.body as { errno: number }).errno, 111);
  assert.equal(method!.status, 405);
  assert.equal(method!.headers.Allow, 'GET, HEAD, OPTIONS');
  // A 409 does not stop the batch (it rolls back the transaction so far, §10.5).
  assert.equal(conflicted!.status, 409);
  assert.equal((conflicted!.body as { errno: number }).errno, 122);
  assert.equal(conflicted!.headers['Retry-After'], '3');
  assert.equal(after!.status, 200);
  assert.equal(after!.headers['Content-Length'] !== undefined, true);
  assert.equal(after!.headers.Connection, undefined, 'no transport headers');
  assert.equal(after!.headers.Date, undefined, 'no transport headers');
  const echoed = after!.body as { headers: Record<string, string>; body: unknown };
  assert.deepEqual(echoed.body, { x: 1 });
  assert.equal(echoed.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(echoed.headers['x-kinto-subrequest'], undefined, 'the binding token never reaches handlers');
});

test('framing headers of the batch or of a sub-request never reach the replay', async (t) => {
  const kinto = await server(t);
  const [r] = await responses(kinto, {
    requests: [{ path: '/echo', method: 'POST', headers: { 'Content-Length': '1', 'Transfer-Encoding': 'chunked' }, body: { long: 'x'.repeat(100) } }],
  });
  assert.equal(r!.status, 200, JSON.stringify(r!.body));
  assert.deepEqual((r!.body as { body: unknown }).body, { long: 'x'.repeat(100) });
});

test('an empty body {} is sent as no body at all, as Kinto does', async (t) => {
  const kinto = await server(t);
  const [r] = await responses(kinto, { requests: [{ path: '/echo', method: 'POST', body: {} }] });
  assert.equal((r!.body as { body: unknown }).body, null);
});

test('a sub-request that crashes fails the whole batch: 500, or 503 for backends', async (t) => {
  const kinto = await server(t);
  const crash = await batch(kinto, { requests: [{ path: '/' }, { path: '/crash' }, { path: '/' }] });
  assertKintoError(crash, { code: 500, errno: 999, message: 'A programmatic error occurred, developers have been informed.' });
  const outage = await batch(kinto, { requests: [{ path: '/outage' }] });
  assertKintoError(outage, { code: 503, errno: 201 });
  assert.equal(outage.headers['retry-after'], '3');
});

test('a failing heartbeat (503 plain mapping) stays inline', async (t) => {
  const failing = definePlugin({ name: 'failing', includeme: (api) => api.addHeartbeat('failing', () => false) });
  const kinto = await server(t, { includes: 'echo failing' }, { failing });
  const [r] = await responses(kinto, { requests: [{ path: '/__heartbeat__' }] });
  assert.equal(r!.status, 503);
  assert.equal((r!.body as Record<string, unknown>).failing, false);
});

test('a non-UTF-8 percent-encoding answers that sub-request as the same path sent directly (§11.4)', async (t) => {
  const kinto = await server(t);
  const direct = await kinto.app.inject({ url: '/v1/echo/%FF' });
  const [r, ok] = await responses(kinto, { requests: [{ path: '/echo/%FF' }, { path: '/' }] });
  assert.ok(r!.status >= 400 && r!.status < 500, `status ${r!.status}`);
  assert.equal(r!.status, direct.statusCode);
  assert.equal(r!.path, '/v1/echo/\uFFFD');
  assert.equal(ok!.status, 200);
});

test('readonly mode refuses the batch (checklist 175)', async (t) => {
  const kinto = await server(t, { readonly: true });
  assertKintoError(await batch(kinto, { requests: [] }), { code: 405, errno: 115 });
});

test('unquote decodes UTF-8 and replaces invalid bytes like Python', () => {
  assert.equal(unquote('/v1/a%20b/%C3%A9t%C3%A9/%FF%2F'), '/v1/a b/été/\uFFFD/');
});
