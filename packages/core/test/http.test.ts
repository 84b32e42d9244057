// Request handling shared by every endpoint: errors, redirects, headers, CORS,
// end of service and read-only mode (kinto-api.md §1, §2, §11, §12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertKintoError, basicAuth, buildServer } from '../src/testing/index.js';
import { echoPlugin } from './fixtures/echo-plugin.js';

async function server(t: { after: (fn: () => Promise<void>) => void }, values: Record<string, unknown> = {}) {
  const kinto = await buildServer({ includes: 'echo', ...values }, { plugins: { echo: echoPlugin } });
  t.after(() => kinto.close());
  return kinto.app;
}

test('redirects: root, unprefixed paths, trailing slash, /v1 (checklist 1–5, 10)', async (t) => {
  const app = await server(t);
  let r = await app.inject({ url: '/' });
  assert.equal(r.statusCode, 307);
  assert.equal(r.headers.location, 'http://localhost:80/v1/');
  r = await app.inject({ url: '/buckets?_since=42' });
  assert.equal(r.headers.location, 'http://localhost:80/v1/buckets?_since=42');
  assert.equal(r.headers['cache-control'], undefined, 'version redirect has no cache headers by default');
  r = await app.inject({ url: '/v1/buckets//?a=1' });
  assert.equal(r.statusCode, 307);
  assert.equal(r.headers.location, 'http://localhost:80/v1/buckets?a=1');
  assert.equal(r.headers['cache-control'], 'max-age=3600');
  assert.match(String(r.headers['content-type']), /^text\/plain/);
  r = await app.inject({ url: '/v1' });
  assert.equal(r.headers.location, 'http://localhost:80/v1/');
  assertKintoError(await app.inject({ url: '/v2/buckets' }), { code: 404, errno: 116 });
  assertKintoError(await app.inject({ url: '/buckets%0Ax' }), { code: 404, errno: 116 });
  const off = await server(t, { trailing_slash_redirect_enabled: false });
  assertKintoError(await off.inject({ url: '/v1/buckets/' }), { code: 404, errno: 111 });
});

test('unknown URL 404/111, wrong method 405/115 with Allow (checklist 6–8)', async (t) => {
  const app = await server(t);
  const badUrl = await app.inject({ url: '/v1/echo/%FF', headers: { origin: 'http://x' } });
  assertKintoError(badUrl, { code: 400, errno: 107, message: 'Invalid URL path.' });
  assert.match(String(badUrl.headers['content-security-policy']), /^default-src/);
  assert.equal(badUrl.headers['content-type'], 'application/json');
  assertKintoError(await app.inject({ url: '/v1/unknown' }), {
    code: 404,
    errno: 111,
    message: 'The resource you are looking for could not be found.',
  });
  const r = await app.inject({ method: 'DELETE', url: '/v1/echo' });
  assertKintoError(r, { code: 405, errno: 115, message: 'Method not allowed on this endpoint.' });
  assert.equal(r.headers.allow, 'GET, HEAD, POST, PUT, PATCH, OPTIONS');
});

test('bodies: invalid JSON 400/107, non-object JSON, 415, 406, 413 (checklist 25–31)', async (t) => {
  const app = await server(t, { max_request_body_bytes: 8192 });
  const auth = { authorization: basicAuth('mat') };
  let body = assertKintoError(
    await app.inject({ method: 'POST', url: '/v1/echo', headers: { ...auth, 'content-type': 'application/json' }, payload: "{'foo>}" }),
    { code: 400, errno: 107, message: /^Invalid JSON/ },
  );
  assert.equal(body.error, 'Invalid parameters');
  assert.equal((body.details as unknown[]).length, 2);
  body = assertKintoError(
    await app.inject({ method: 'PUT', url: '/v1/echo', headers: { 'content-type': 'application/json' }, payload: '42' }),
    { code: 400, errno: 107, message: 'Should be a JSON object or an array' },
  );
  for (const payload of ['NaN', '{"a": Infinity}', '\uFEFF{}', `{"a": 1e400}`, `${'['.repeat(300)}${']'.repeat(300)}`]) {
    assertKintoError(await app.inject({ method: 'PUT', url: '/v1/echo', headers: { 'content-type': 'application/json' }, payload }), { code: 400, errno: 107 });
  }
  assertKintoError(
    await app.inject({ method: 'PUT', url: '/v1/echo', headers: { 'content-type': 'application/json' }, payload: Buffer.from([0x7b, 0xff, 0x7d]) }),
    { code: 400, errno: 107, message: /utf-8/ },
  );
  body = assertKintoError(
    await app.inject({ method: 'PUT', url: '/v1/echo', headers: { 'content-type': 'text/plain' }, payload: '{}' }),
    { code: 415, errno: 107, message: "Content-Type header should be one of ['application/json']" },
  );
  assert.deepEqual((body.details as Array<{ name: string }>)[0]!.name, 'Content-Type');
  assertKintoError(
    await app.inject({ method: 'PATCH', url: '/v1/echo', headers: { 'content-type': 'text/plain' }, payload: '{}' }),
    { code: 415, errno: 107, message: /application\/merge-patch\+json/ },
  );
  assertKintoError(
    await app.inject({ method: 'PUT', url: '/v1/echo', headers: { 'content-type': 'application/json; charset=latin-1' }, payload: '{}' }),
    { code: 415, errno: 107 },
  );
  assertKintoError(await app.inject({ method: 'GET', url: '/v1/echo', headers: { accept: 'text/plain' } }), {
    code: 406,
    errno: 107,
    message: "Accept header should be one of ['application/json']",
  });
  assert.equal((await app.inject({ url: '/v1/echo', headers: { accept: 'text/html, */*;q=0.8' } })).statusCode, 200);
  assertKintoError(
    await app.inject({ method: 'PUT', url: '/v1/echo', headers: { 'content-type': 'application/json' }, payload: `{"a": "${'x'.repeat(10_000)}"}` }),
    { code: 413, errno: 113 },
  );
  const ok = await app.inject({ method: 'PUT', url: '/v1/echo', payload: '' });
  assert.equal(ok.statusCode, 200, 'no body and no content type is fine');
});

test('JSON output escapes non-ASCII as Kinto does and never sends a charset', async (t) => {
  const app = await server(t);
  const r = await app.inject({ method: 'PUT', url: '/v1/echo', headers: { 'content-type': 'application/json' }, payload: '{"s": "é☃/"}' });
  assert.equal(r.headers['content-type'], 'application/json');
  assert.ok(r.body.includes('"\\u00E9\\u2603/"'), r.body);
});

test('unexpected errors are 500 errno 999 with info; backoff on every response (checklist 165, 167)', async (t) => {
  const app = await server(t, { backoff: 10 });
  const r = await app.inject({ url: '/v1/boom' });
  const body = assertKintoError(r, { code: 500, errno: 999, message: 'A programmatic error occurred, developers have been informed.' });
  assert.equal(body.info, 'https://github.com/Kinto/kinto/issues/');
  assert.equal(r.headers.backoff, '10');
  assert.equal(r.headers['retry-after'], undefined, 'Retry-After only on 503/409');
  assert.equal((await app.inject({ url: '/v1/' })).headers.backoff, '10');
});

test('every response carries the CSP header (checklist 9)', async (t) => {
  const app = await server(t);
  for (const url of ['/v1/', '/v1/unknown', '/']) {
    assert.match(String((await app.inject({ url })).headers['content-security-policy']), /^default-src 'none'/);
  }
});

test('CORS: allowed origins, exposed headers, preflights (checklist 170–174)', async (t) => {
  const app = await server(t);
  let r = await app.inject({ url: '/v1/echo', headers: { origin: 'http://x' } });
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.equal(r.headers['access-control-expose-headers'], 'Backoff, Retry-After, Alert, Content-Length, Content-Type, ETag');
  r = await app.inject({ method: 'POST', url: '/v1/echo', headers: { origin: 'http://x' } });
  assert.equal(r.statusCode, 401);
  assert.equal(r.headers['access-control-allow-origin'], '*', 'CORS headers on errors too');
  r = await app.inject({ method: 'OPTIONS', url: '/v1/echo', headers: { origin: 'http://x', 'access-control-request-method': 'GET' } });
  assert.equal(r.statusCode, 200);
  assert.equal(r.body, 'null');
  assert.equal(r.headers['access-control-max-age'], '3600');
  assertKintoError(await app.inject({ method: 'OPTIONS', url: '/v1/echo', headers: { origin: 'http://x' } }), { code: 400, errno: 107 });
  assertKintoError(
    await app.inject({ method: 'OPTIONS', url: '/v1/echo', headers: { origin: 'http://x', 'access-control-request-method': 'DELETE' } }),
    { code: 400, errno: 107, message: /Method not allowed/ },
  );
  const restricted = await server(t, { cors_origins: '*.daybed.io', cors_max_age_seconds: '' });
  r = await restricted.inject({ url: '/v1/echo', headers: { origin: 'http://demo.daybed.io' } });
  assert.equal(r.headers['access-control-allow-origin'], 'http://demo.daybed.io');
  assertKintoError(await restricted.inject({ url: '/v1/echo', headers: { origin: 'http://evil.org' } }), { code: 400, errno: 107 });
  r = await restricted.inject({ method: 'OPTIONS', url: '/v1/echo', headers: { origin: 'http://demo.daybed.io', 'access-control-request-method': 'GET' } });
  assert.equal(r.headers['access-control-max-age'], undefined);
});

test('end of service: soft-eol Alert before, 410 errno 202 after (checklist 168, 169)', async (t) => {
  const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86400_000).toISOString().slice(0, 10);
  const soon = await server(t, { eos: tomorrow, eos_url: 'http://eos', eos_message: 'bye' });
  let r = await soon.inject({ url: '/v1/' });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(JSON.parse(String(r.headers.alert)), { code: 'soft-eol', message: 'bye', url: 'http://eos' });
  assert.equal(JSON.parse(r.body).eos, tomorrow);
  const gone = await server(t, { eos: yesterday });
  r = await gone.inject({ url: '/v1/' });
  assertKintoError(r, { code: 410, errno: 202 });
  assert.equal(JSON.parse(String(r.headers.alert)).code, 'hard-eol');
  assert.equal(JSON.parse(String(r.headers.alert)).url, 'https://kinto.readthedocs.io/');
});

test('readonly: writes are 405 everywhere, hello is cacheable (checklist 17, 175)', async (t) => {
  const app = await server(t, { readonly: true });
  for (const method of ['PUT', 'POST', 'PATCH', 'DELETE'] as const) {
    assertKintoError(await app.inject({ method, url: '/v1/echo' }), { code: 405, errno: 115 });
    assertKintoError(await app.inject({ method, url: '/v1/batch' }), { code: 405, errno: 115 });
  }
  const hello = await app.inject({ url: '/v1/' });
  assert.equal(hello.headers['cache-control'], 'max-age=86400');
  assert.equal(JSON.parse(hello.body).settings.readonly, true);
  assert.equal((await (await server(t)).inject({ url: '/v1/' })).headers['cache-control'], undefined);
});
