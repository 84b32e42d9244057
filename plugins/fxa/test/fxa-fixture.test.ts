// The FxA fixture itself follows the upstream protocol (fxa.md §11), so that the
// plugin's tests would pass against a real FxA server too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFxa } from './helpers.js';
import type { FakeFxa } from './fixtures/fxa-server/server.js';

async function post(fxa: FakeFxa, path: string, body: unknown, type = 'application/json') {
  const response = await fetch(`${fxa.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function authorize(fxa: FakeFxa, query: Record<string, string>) {
  const response = await fetch(`${fxa.oauthUri}/authorization?${new URLSearchParams(query)}`, { redirect: 'manual' });
  const body = response.status === 302 ? {} : ((await response.json()) as Record<string, unknown>);
  return { status: response.status, location: response.headers.get('location'), body };
}

test('errors have the FxA shape: code equals the status, errno, error, message, info', async (t) => {
  const fxa = await startFxa(t);
  const { status, body } = await post(fxa, '/v1/verify', { token: 'f'.repeat(64) });
  assert.equal(status, 400);
  assert.deepEqual(
    { code: body.code, errno: body.errno, error: body.error, message: body.message },
    { code: 400, errno: 108, error: 'Bad Request', message: 'Invalid token' },
  );
  assert.match(String(body.info), /docs\/api\.md#errors$/);
  assert.equal((await post(fxa, '/v1/verify', { token: 'short' })).body.errno, 109);
  assert.equal((await post(fxa, '/v1/verify', 'token=x', 'text/plain')).status, 415);
});

test('/verify answers user, client_id, scope (array); expired tokens errno 115; destroyed tokens 108', async (t) => {
  const fxa = await startFxa(t);
  const token = await fxa.mint({ user: 'a'.repeat(32), clientId: 'b'.repeat(16), scope: ['profile', 'kinto'], generation: 5 });
  const { status, body } = await post(fxa, '/v1/verify', { token });
  assert.equal(status, 200);
  assert.deepEqual(body, { user: 'a'.repeat(32), client_id: 'b'.repeat(16), scope: ['profile', 'kinto'], generation: 5 });
  const expired = await fxa.mint({ scope: ['kinto'], ttlSeconds: -1 });
  assert.equal((await post(fxa, '/v1/verify', { token: expired })).body.errno, 115);
  assert.deepEqual((await post(fxa, '/v1/destroy', { token })).body, {});
  assert.equal((await post(fxa, '/v1/verify', { token })).body.errno, 108);
});

test('/authorization checks the client, redirect_uri and PKCE, and grants allowed scopes only', async (t) => {
  const fxa = await startFxa(t);
  const confidential = fxa.addClient({ redirectUri: 'https://rp.example/cb?x=1', allowedScopes: ['profile', 'kinto'] });
  const publicClient = fxa.addClient({ secret: null, redirectUri: 'https://rp.example/cb' });
  assert.equal((await authorize(fxa, { client_id: 'f'.repeat(16), state: 's' })).body.errno, 101);
  assert.equal((await authorize(fxa, { client_id: confidential.id, state: 's', redirect_uri: 'https://evil.example/' })).body.errno, 103);
  assert.equal((await authorize(fxa, { client_id: confidential.id, state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })).body.errno, 116);
  assert.equal((await authorize(fxa, { client_id: publicClient.id, state: 's' })).body.errno, 116);

  const granted = await authorize(fxa, { client_id: confidential.id, state: 's t', scope: 'kinto profile:write openid', action: 'signin' });
  assert.equal(granted.status, 302);
  const location = new URL(granted.location!);
  assert.equal(location.searchParams.get('x'), '1', 'a registered query is kept, the code appended with &');
  assert.equal(location.searchParams.get('state'), 's t');
  const code = location.searchParams.get('code')!;
  assert.match(code, /^[0-9a-f]{64}$/);
  const trade = await post(fxa, '/v1/token', { client_id: confidential.id, client_secret: confidential.secret, code });
  assert.equal(trade.status, 200);
  assert.equal(trade.body.scope, 'kinto', 'scope is a space-separated string here');
  assert.equal(trade.body.token_type, 'bearer');
  assert.equal((await post(fxa, '/v1/token', { client_id: confidential.id, client_secret: confidential.secret, code })).body.errno, 105);
});

test('/token error table: 101, 102, 106, 109, 117, 118, 121', async (t) => {
  const fxa = await startFxa(t);
  const a = fxa.addClient({ redirectUri: 'https://a.example/' });
  const b = fxa.addClient({ redirectUri: 'https://b.example/' });
  const pub = fxa.addClient({ secret: null, redirectUri: 'https://p.example/' });
  const codeOf = async (clientId: string, extra: Record<string, string> = {}) =>
    new URL((await authorize(fxa, { client_id: clientId, state: 's', ...extra })).location!).searchParams.get('code')!;
  const errno = async (body: Record<string, unknown>) => (await post(fxa, '/v1/token', body)).body.errno;

  assert.equal(await errno({ client_id: 'f'.repeat(16), client_secret: 'x'.repeat(64), code: 'c'.repeat(64) }), 101);
  assert.equal(await errno({ client_id: a.id, client_secret: 'x'.repeat(64), code: await codeOf(a.id) }), 102);
  assert.equal(await errno({ client_id: b.id, client_secret: b.secret, code: await codeOf(a.id) }), 106);
  assert.equal(await errno({ client_id: a.id, client_secret: a.secret, code: 'nothex' }), 109);
  assert.equal(await errno({ client_id: a.id, client_secret: a.secret, code: await codeOf(a.id), grant_type: 'password' }), 121);
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'; // RFC 7636 appendix B
  assert.equal(await errno({ client_id: pub.id, code: await codeOf(pub.id, { code_challenge: challenge, code_challenge_method: 'S256' }) }), 118);
  assert.equal(
    await errno({ client_id: pub.id, code: await codeOf(pub.id, { code_challenge: challenge, code_challenge_method: 'S256' }), code_verifier: 'x'.repeat(43) }),
    117,
  );
  const good = await post(fxa, '/v1/token', {
    client_id: pub.id,
    code: await codeOf(pub.id, { code_challenge: challenge, code_challenge_method: 'S256' }),
    code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  });
  assert.equal(good.status, 200);
});

test('controls are also reachable over HTTP under /__test__/', async (t) => {
  const fxa = await startFxa(t);
  const minted = await post(fxa, '/__test__/tokens', { user: 'c'.repeat(32), scope: ['kinto'] });
  const token = String(minted.body.token);
  assert.equal((await post(fxa, '/v1/verify', { token })).status, 200);
  await post(fxa, '/__test__/failures', { endpoint: 'verify', mode: { kind: 'server-error' } });
  assert.equal((await post(fxa, '/v1/verify', { token })).status, 500);
  const calls = (await (await fetch(`${fxa.origin}/__test__/calls`)).json()) as Record<string, number>;
  assert.equal(calls.verify, 2);
});
