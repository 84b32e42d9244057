import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer, basicAuth } from '../src/testing/index.js';

test('smoke', async (t) => {
  const kinto = await buildServer();
  t.after(() => kinto.close());
  const r = await kinto.app.inject({ url: '/v1/', headers: { authorization: basicAuth('mat') } });
  console.log(r.statusCode, r.headers, r.body);
  const h = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  console.log(h.statusCode, h.body);
  for (const url of ['/', '/buckets?_since=42', '/v2/x', '/v1', '/v1/buckets/', '/v1/unknown', '/v1/__api__']) {
    const x = await kinto.app.inject({ url });
    console.log(url, x.statusCode, x.headers.location, x.body.slice(0, 200));
  }
  const p = await kinto.app.inject({ method: 'PATCH', url: '/v1/' });
  console.log(p.statusCode, p.headers.allow, p.body);
  assert.equal(r.statusCode, 200);
});
