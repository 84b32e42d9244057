// Several FxA clients (fxa.md §3–§4, checklist 23–27): a token is routed to the
// client whose required scopes it carries; named clients get suffixed user ids
// and the shared principal `fxa:{uid}`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertKintoError } from '@kinto-ts/core/testing';
import { PROTECTED, bearer, captureLogs, fxaSettings, hello, startFxa, startKinto, userOf } from './helpers.js';
import type { FakeFxa } from './fixtures/fxa-server/server.js';

const NOTES = 'https://identity.mozilla.org/apps/notes';
const LOCKBOX = 'https://identity.mozilla.org/apps/lockbox';

function clientSettings(fxa: FakeFxa, extra: Record<string, unknown> = {}) {
  return fxaSettings(fxa, {
    'fxa-oauth.required_scope': null,
    'fxa-oauth.clients.notes.client_id': 'c73e46074a948932',
    'fxa-oauth.clients.notes.required_scope': `profile ${NOTES}`,
    'fxa-oauth.clients.lockbox.client_id': '299062f8b3838932',
    'fxa-oauth.clients.lockbox.required_scope': `profile ${LOCKBOX}`,
    ...extra,
  });
}

test('a notes token authenticates as fxa:{uid}-notes with the principal fxa:{uid}', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, clientSettings(fxa));
  const token = await fxa.mint({ user: '33', scope: ['profile', NOTES] });
  const user = userOf((await hello(kinto, token)).body);
  assert.equal(user?.id, 'fxa:33-notes');
  assert.ok(user?.principals?.includes('fxa:33'));
  assert.ok(user?.principals?.includes('fxa:33-notes'));
  assert.ok(!user?.principals?.includes('33'));
  assert.ok(!user?.principals?.includes('fxa:33-lockbox'));
});

test('a lockbox token authenticates as fxa:{uid}-lockbox with the principal fxa:{uid}', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, clientSettings(fxa));
  const user = userOf((await hello(kinto, await fxa.mint({ user: '33', scope: ['profile', LOCKBOX] }))).body);
  assert.equal(user?.id, 'fxa:33-lockbox');
  assert.ok(user?.principals?.includes('fxa:33'));
});

test('FxA scope implication applies to routing: a …/apps/notes token implies …/apps/notes/sync', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, clientSettings(fxa, { 'fxa-oauth.clients.notes.required_scope': `${NOTES}/sync` }));
  const user = userOf((await hello(kinto, await fxa.mint({ user: '33', scope: [NOTES] }))).body);
  assert.equal(user?.id, 'fxa:33-notes', 'a token for …/apps/notes implies …/apps/notes/sync');
});

test('a token with only profile matches neither client: anonymous', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, clientSettings(fxa));
  const token = await fxa.mint({ user: '33', scope: ['profile'] });
  assertKintoError(await kinto.app.inject({ url: PROTECTED, headers: bearer(token) }), { code: 401, errno: 104 });
});

test('a token carrying both apps scopes is ambiguous: anonymous, with a warning', async (t) => {
  const fxa = await startFxa(t);
  const logs = captureLogs();
  const kinto = await startKinto(t, clientSettings(fxa), { logs });
  const token = await fxa.mint({ user: '33', scope: ['profile', NOTES, LOCKBOX] });
  const { status, body } = await hello(kinto, token);
  assert.equal(status, 200);
  assert.equal(body.user, undefined, 'no fxa:33* principal at all');
  assertKintoError(await kinto.app.inject({ url: PROTECTED, headers: bearer(token) }), { code: 401 });
  const warnings = logs.lines.filter((l) => l.level === 40 && l.msg.includes('matches multiple config'));
  assert.ok(warnings.length >= 1);
  assert.ok(!JSON.stringify(logs.lines).includes(token), 'the token is never logged');
});

test('the default client and named clients coexist; the default gets the bare uid', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(t, clientSettings(fxa, { 'fxa-oauth.required_scope': 'kinto' }));
  assert.equal(userOf((await hello(kinto, await fxa.mint({ user: '33', scope: ['kinto'] }))).body)?.id, 'fxa:33');
  const notes = userOf((await hello(kinto, await fxa.mint({ user: '33', scope: ['profile', NOTES] }))).body);
  assert.equal(notes?.id, 'fxa:33-notes');
});

test('the shared principal is literally fxa:, whatever the policy name', async (t) => {
  const fxa = await startFxa(t);
  const kinto = await startKinto(
    t,
    clientSettings(fxa, {
      'multiauth.policies': 'ffxxaa',
      'multiauth.policy.ffxxaa.use': 'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy',
    }),
  );
  const user = userOf((await hello(kinto, await fxa.mint({ user: '33', scope: ['profile', NOTES] }))).body);
  assert.equal(user?.id, 'ffxxaa:33-notes');
  assert.ok(user?.principals?.includes('fxa:33'));
});
