// The plugin hook (settings.md §4) through the example plugin of the repo and
// small inline plugins: capabilities, heartbeats, routes, settings, loading errors.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { createKinto, definePlugin, loadSettingsFromIni, StartupError } from '../src/index.js';
import { assertKintoError, basicAuth, buildServer } from '../src/testing/index.js';

const EXAMPLE = resolve(import.meta.dirname, '../../../examples/hello-plugin/index.js');

test('the example plugin, listed by path in an .ini, adds a capability, a heartbeat and a route', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kinto-plugin-'));
  const ini = join(dir, 'kinto.ini');
  writeFileSync(ini, `[app:main]\nkinto.includes = ${EXAMPLE}\nhello.greeting = Bonjour\nmultiauth.policies = basicauth\n`);
  const kinto = await createKinto(loadSettingsFromIni(ini, { env: {} }), { logger: false });
  t.after(() => kinto.close());
  const hello = JSON.parse((await kinto.app.inject({ url: '/v1/' })).body);
  assert.deepEqual(hello.capabilities.hello, { description: 'Greets authenticated users.', url: 'https://example.com/hello-plugin', greeting: 'Bonjour' });
  const heartbeat = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(heartbeat.statusCode, 200);
  assert.equal(JSON.parse(heartbeat.body).hello, true);
  const greeting = await kinto.app.inject({ url: '/v1/hello', headers: { authorization: basicAuth('mat') } });
  assert.equal(JSON.parse(greeting.body).greeting, 'Bonjour, basicauth:8a931a10fc88ab2f6d1cc02a07d3a81b5d4768f6f13e85c5d8d4180419acb1b4!');
  assertKintoError(await kinto.app.inject({ url: '/v1/hello' }), { code: 401, errno: 104 });
});

test('the example plugin settings follow environment overrides; a false heartbeat makes 503 (checklist 20)', async (t) => {
  const kinto = await buildServer({ includes: EXAMPLE }, { env: { KINTO_HELLO_HEALTHY: 'false' } });
  t.after(() => kinto.close());
  const r = await kinto.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(r.statusCode, 503);
  assert.deepEqual(JSON.parse(r.body), { storage: true, permission: true, cache: true, hello: false });
});

test('heartbeats: null keeps 200; a hanging or throwing check is false after the timeout (checklist 19–21)', async (t) => {
  const plugin = (check: () => Promise<boolean | null>) =>
    definePlugin({ name: 'hb', includeme: (api) => api.addHeartbeat('probe', check) });
  const nullish = await buildServer({ includes: 'hb' }, { plugins: { hb: plugin(async () => null) } });
  t.after(() => nullish.close());
  let r = await nullish.app.inject({ url: "/v1/__heartbeat__" });
  assert.equal(r.statusCode, 200);
  assert.equal(JSON.parse(r.body).probe, null);

  let aborted = false;
  const hanging = await buildServer(
    { includes: 'hb', heartbeat_timeout_seconds: 0.2 },
    {
      plugins: {
        hb: definePlugin({
          name: 'hb',
          includeme: (api) =>
            api.addHeartbeat('probe', (signal) => new Promise((resolve) => signal.addEventListener('abort', () => { aborted = true; resolve(true); }))),
        }),
      },
    },
  );
  t.after(() => hanging.close());
  r = await hanging.app.inject({ url: '/v1/__heartbeat__' });
  assert.equal(r.statusCode, 503);
  assert.equal(JSON.parse(r.body).probe, false);
  assert.equal(aborted, true, 'the check is told to stop');

  const throwing = await buildServer({ includes: 'hb' }, { plugins: { hb: plugin(async () => { throw new Error('down'); }) } });
  t.after(() => throwing.close());
  assert.equal(JSON.parse((await throwing.app.inject({ url: '/v1/__heartbeat__' })).body).probe, false);
});

test('registering a capability twice fails start-up (checklist 10)', async () => {
  const twice = definePlugin({
    name: 'twice',
    includeme(api) {
      api.addCapability('x', { description: 'x', url: 'u' });
      api.addCapability('x', { description: 'x', url: 'u' });
    },
  });
  await assert.rejects(buildServer({ includes: 'twice' }, { plugins: { twice } }), (error: unknown) =>
    error instanceof StartupError && error.code === 'KINTO_ERR_CAPABILITY' && /'x'/.test(error.message),
  );
});

test('an unknown plugin or a module without includeme stops start-up with a clear error', async () => {
  await assert.rejects(buildServer({ includes: 'kinto_nonexistent_plugin' }), (error: unknown) =>
    error instanceof StartupError && error.code === 'KINTO_ERR_PLUGIN' && /kinto_nonexistent_plugin/.test(error.message),
  );
  await assert.rejects(buildServer({ includes: 'node:path' }), /not a kinto-ts plugin/);
});

test('plugins are loaded in order, after the core, and may listen to events and share state', async (t) => {
  const order: string[] = [];
  const first = definePlugin({ name: 'a', includeme: (api) => { order.push('a'); api.provide('a.ready', true); } });
  const second = definePlugin({ name: 'b', includeme: (api) => { order.push(`b:${String(api.lookup('a.ready'))}:${api.includes.join(',')}`); } });
  const kinto = await buildServer({ includes: 'a b' }, { plugins: { a: first, b: second } });
  t.after(() => kinto.close());
  assert.deepEqual(order, ['a', 'b:true:a,b']);
});

test('hello has every field of the spec (checklist 11–13, 16)', async (t) => {
  const kinto = await buildServer();
  t.after(() => kinto.close());
  const body = JSON.parse((await kinto.app.inject({ url: '/v1/' })).body);
  assert.deepEqual(Object.keys(body).sort(), ['capabilities', 'config', 'http_api_version', 'project_docs', 'project_name', 'project_version', 'settings', 'url']);
  assert.equal(body.http_api_version, '1.23');
  assert.match(body.url, /\/v1\/$/);
  assert.deepEqual(body.settings, { batch_max_requests: 25, readonly: false, explicit_permissions: true });
  assert.equal(body.capabilities.basicauth.description, 'Very basic authentication sessions. Not for production use.');
  assert.equal(body.user, undefined);
  const lb = await kinto.app.inject({ url: '/v1/__lbheartbeat__' });
  assert.deepEqual([lb.statusCode, JSON.parse(lb.body)], [200, {}]);
  const api = JSON.parse((await kinto.app.inject({ url: '/v1/__api__' })).body);
  assert.equal(api.swagger, '2.0');
  assert.equal(api.basePath, '/v1');
  assert.ok(api.paths['/__heartbeat__'].get);
  assertKintoError(await kinto.app.inject({ url: '/v1/__version__' }), { code: 500, errno: 999 });
  const custom = await buildServer({ http_host: 'server', project_name: 'myproject' });
  t.after(() => custom.close());
  const other = JSON.parse((await custom.app.inject({ url: '/v1/' })).body);
  assert.equal(other.url, 'http://server/v1/');
  assert.equal(other.project_name, 'myproject');
});
