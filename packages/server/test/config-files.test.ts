// The shipped config/kinto.ini and a file in Python Kinto's layout both start the
// server (issue #3 acceptance; settings.md §7).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { basicAuth } from '@kinto-ts/core/testing';
import { createServerFromIni } from '../src/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');

test('config/kinto.ini starts with the capabilities of settings.md §7', async (t) => {
  const kinto = await createServerFromIni(join(ROOT, 'config/kinto.ini'), { env: {}, logger: false });
  t.after(() => kinto.close());
  const hello = JSON.parse((await kinto.app.inject({ url: '/v1/', headers: { authorization: basicAuth('mat') } })).body);
  assert.deepEqual(Object.keys(hello.capabilities).sort(), ['basicauth', 'default_bucket', 'flush_endpoint', 'permissions_endpoint', 'schema']);
  assert.match(hello.user.id, /^basicauth:[0-9a-f]{64}$/);
  assert.match(hello.user.bucket, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  for (const key of ['project_name', 'project_version', 'http_api_version', 'project_docs', 'url', 'settings', 'capabilities', 'user']) {
    assert.ok(key in hello, `hello has ${key}`);
  }
});

test('an .ini in Python Kinto layout, with the Python plugin and policy names, starts unchanged', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kinto-python-ini-'));
  const ini = join(dir, 'kinto.ini');
  writeFileSync(
    ini,
    `# Written for Python Kinto 26
[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = %(http_port)s

[app:main]
use = egg:kinto
kinto.includes = kinto.plugins.default_bucket
                 kinto.plugins.admin
                 kinto.plugins.accounts
                 kinto.plugins.history
                 kinto.plugins.flush
kinto.storage_backend = kinto.core.storage.memory
kinto.storage_url =
kinto.cache_backend = kinto.core.cache.memory
kinto.cache_url =
kinto.permission_backend = kinto.core.permission.memory
kinto.permission_url =
kinto.userid_hmac_secret = b4c96a8692291d88fe5a97dd91846eb4
multiauth.policies = account basicauth
multiauth.policy.account.use = kinto.plugins.accounts.AccountsPolicy
multiauth.policy.basicauth.use = kinto.core.authentication.BasicAuthAuthenticationPolicy
kinto.account_create_principals = system.Everyone
kinto.account_write_principals = account:admin
kinto.bucket_create_principals = account:admin
kinto.account_bcrypt_rounds = 4

[loggers]
keys = root, kinto

[handlers]
keys = console

[formatters]
keys = color

[logger_root]
level = INFO
handlers = console

[logger_kinto]
level = DEBUG
handlers = console
qualname = kinto
propagate = 0

[handler_console]
class = kinto.core.StreamHandlerWithRequestID
args = (sys.stderr,)
level = NOTSET
formatter = color

[formatter_color]
class = logging_color_formatter.ColorFormatter
`,
  );
  const kinto = await createServerFromIni(ini, { env: {}, logger: false });
  t.after(() => kinto.close());
  const created = await kinto.app.inject({ method: 'PUT', url: '/v1/accounts/alice', payload: { data: { password: 's3cret-pass' } } });
  assert.equal(created.statusCode, 201, created.body);
  const hello = JSON.parse((await kinto.app.inject({ url: '/v1/', headers: { authorization: basicAuth('alice', 's3cret-pass') } })).body);
  assert.equal(hello.user.id, 'account:alice');
  for (const capability of ['accounts', 'admin', 'default_bucket', 'flush_endpoint', 'history', 'permissions_endpoint', 'basicauth']) {
    assert.ok(capability in hello.capabilities, `capability ${capability}`);
  }
});
