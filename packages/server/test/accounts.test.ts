// kinto.plugins.accounts (kinto-api.md B4, checklist 208–214, settings.md §5.6 and
// §8.6–8.7), through the real server: sign-up, login, administrators, the password
// verification cache, start-up checks and hostile input (never a 500, nothing stored).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createBackends, hmacDigest, MemoryStorage, type KintoApp, type Storage } from '@kinto-ts/core';
import { basicAuth, createTestDatabase, redisTestUrl, serviceSkip, testSettings, uniquePrefix } from '@kinto-ts/core/testing';
import { pino } from 'pino';
import bcrypt from 'bcryptjs';
import { createServer } from '../src/app.js';
import { accountCacheKey } from '../src/plugins/accounts/authentication.js';
import { ACCOUNTS, clientOf, expectStatus, type Client, type Reply } from './resource-helpers.js';

function expect(reply: Reply, status = 200, errno?: number): any {
  return expectStatus(reply, status, errno);
}

function challenges(reply: Reply): string[] {
  const value = reply.headers['www-authenticate'];
  return value === undefined ? [] : ([] as string[]).concat(value as string | string[]);
}


const ALICE = basicAuth('alice', '123456');

async function accountsServer(t: TestContext, values: Record<string, unknown> = {}, storage?: Storage): Promise<Client> {
  const settings = testSettings({ ...ACCOUNTS, ...values });
  let backends;
  if (storage) {
    const scratch = await createServer(testSettings(), { logger: false });
    backends = { storage, permission: scratch.registry.permission, cache: scratch.registry.cache };
  }
  const kinto = await createServer(settings, { logger: false, backends });
  t.after(() => kinto.close());
  return clientOf(kinto);
}

async function signUp(client: Client, username: string, password: string): Promise<any> {
  return expect(await client.put(`/v1/accounts/${username}`, { data: { password } }, { auth: null }), 201);
}

async function userId(client: Client, auth: string): Promise<string | undefined> {
  return expect(await client.get('/v1/', { auth })).user?.id;
}

async function storedAccount(kinto: KintoApp, id: string) {
  return kinto.registry.storage.get('account', id, id);
}

test('anonymous sign-up with PUT, then Basic login gives account:alice (acceptance, checklist 208, 209)', async (t) => {
  const client = await accountsServer(t);
  const created = await signUp(client, 'alice', '123456');
  assert.deepEqual(created.permissions, { write: ['account:alice'] });
  assert.equal(created.data.id, 'alice');
  assert.match(created.data.password, /^\$2b\$04\$/);
  assert.ok(bcrypt.compareSync('123456', created.data.password));
  assert.equal(await userId(client, ALICE), 'account:alice');
  const hello = expect(await client.get('/v1/', { auth: null }));
  assert.deepEqual(hello.capabilities.accounts, {
    description: 'Manage user accounts.',
    url: 'https://kinto.readthedocs.io/en/latest/api/1.x/accounts.html',
    validation_enabled: false,
  });
});

test('passwords are hashed with cost 12 by default, as Python Kinto does', async (t) => {
  const client = await accountsServer(t, { account_bcrypt_rounds: 12 });
  const created = await signUp(client, 'alice', '123456');
  assert.match(created.data.password, /^\$2b\$12\$/);
});

test('a wrong password, an unknown account or malformed Basic credentials are anonymous: 401', async (t) => {
  const client = await accountsServer(t);
  await signUp(client, 'alice', '123456');
  const headers = [
    basicAuth('alice', 'wrong'),
    basicAuth('bob', '123456'),
    basicAuth('', '123456'),
    basicAuth('al/ice', '123456'),
    `Basic ${Buffer.from('alice123456').toString('base64')}`,
    'Basic !!!not-base64!!!',
    'Basic',
    'Bearer 123456',
    `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x41]).toString('base64')}`,
  ];
  for (const auth of headers) {
    const reply = await client.get('/v1/accounts/alice', { auth });
    expect(reply, 401, 104);
    assert.equal(reply.body.message, 'Please authenticate yourself to use this endpoint.');
    assert.deepEqual(challenges(reply), ['Basic realm="Realm"']);
    assert.equal(await userId(client, auth), undefined);
  }
});

test('a 1 MB password is refused at sign-up (400) and at login (401); nothing is stored', async (t) => {
  const client = await accountsServer(t);
  const huge = 'x'.repeat(1024 * 1024);
  const put = expect(await client.put('/v1/accounts/big', { data: { password: huge } }, { auth: null }), 400, 107);
  assert.equal(put.message, 'data.password in body: Longer than maximum length 72 bytes');
  await assert.rejects(storedAccount(client.kinto, 'big'), { name: 'ObjectNotFoundError' });
  // 72 bytes is the longest password bcrypt reads entirely: accepted.
  await signUp(client, 'alice', 'é'.repeat(36));
  assert.equal(await userId(client, basicAuth('alice', 'é'.repeat(36))), 'account:alice');
  // A longer one that shares those 72 bytes must not log in (bcrypt would ignore the rest).
  assert.equal(await userId(client, basicAuth('alice', `${'é'.repeat(36)}x`)), undefined);
  expect(await client.get('/v1/accounts/alice', { auth: basicAuth('alice', huge) }), 401, 104);
});

test('ids with a slash, spaces or non-ASCII are 400 and create nothing', async (t) => {
  const client = await accountsServer(t);
  for (const id of ['a%2Fb', 'a%20b', '%20', 'caf%C3%A9', '-dash', '.dot']) {
    const reply = await client.put(`/v1/accounts/${id}`, { data: { password: 'secret' } }, { auth: null });
    assert.equal(reply.body.message, 'path: Invalid object id', `${id}: ${reply.text}`);
    expect(reply, 400, 107);
  }
  for (const id of ['a/b', 'a b', 42, '', null]) {
    const reply = await client.post('/v1/accounts', { data: { id, password: 'secret' } }, { auth: null });
    expect(reply, 400, 107);
  }
  // Emails are fine (kinto-api.md §3.1).
  await signUp(client, 'me+kinto@example.com', 'secret');
  const admin = await accountsServer(t, { account_write_principals: 'account:me+kinto@example.com', account_read_principals: 'account:me+kinto@example.com' });
  await signUp(admin, 'me+kinto@example.com', 'secret');
  const list = expect(await admin.get('/v1/accounts', { auth: basicAuth('me+kinto@example.com', 'secret') }));
  assert.deepEqual(list.data.map((a: { id: string }) => a.id), ['me+kinto@example.com']);
});

test('POST /accounts: data.id and password are required; an existing id needs read (checklist 210)', async (t) => {
  const client = await accountsServer(t);
  let body = expect(await client.post('/v1/accounts', { data: { id: 'me' } }, { auth: null }), 400, 107);
  assert.equal(body.message, 'data.password in body: Required');
  body = expect(await client.post('/v1/accounts', { data: { password: 'x' } }, { auth: null }), 400, 107);
  assert.equal(body.message, 'data.id in body: Required');
  body = expect(await client.post('/v1/accounts', { data: { id: 'me', password: 1234 } }, { auth: null }), 400, 107);
  assert.equal(body.details[0].name, 'data.password');
  for (const raw of ['[]', '"x"', '{"data": []}', '{"data": {"id": {"x": 1}}}']) {
    expect(await client.request('POST', '/v1/accounts', { auth: null, raw, headers: { 'content-type': 'application/json' } }), 400, 107);
  }
  expect(await client.post('/v1/accounts', { data: { id: 'alice', password: '123456' } }, { auth: null }), 201);
  // Someone else posting the same id: anonymous needs read on it (401); the owner gets it back.
  expect(await client.post('/v1/accounts', { data: { id: 'alice', password: 'other' } }, { auth: null }), 401, 104);
  const again = expect(await client.post('/v1/accounts', { data: { id: 'alice', password: 'other' } }, { auth: ALICE }), 200);
  assert.ok(bcrypt.compareSync('123456', again.data.password), 'the stored account is unchanged');
  // Authenticated, without id: Kinto never generates account ids.
  body = expect(await client.post('/v1/accounts', { data: { password: 'x' } }, { auth: ALICE }), 400, 107);
  assert.equal(body.message, 'data.id in body: Accounts must have an ID.');
  assert.equal(body.details[0].name, 'data.id');
});

test('users see and change only their own account; ids must match the username (checklist 211)', async (t) => {
  const client = await accountsServer(t);
  await signUp(client, 'alice', '123456');
  await signUp(client, 'bob', 'secret');
  const BOB = basicAuth('bob', 'secret');

  const anonymous = expect(await client.get('/v1/accounts', { auth: null }), 401, 999);
  assert.deepEqual(anonymous, { code: 401, errno: 999, error: 'Cannot read accounts.' });
  expect(await client.request('HEAD', '/v1/accounts', { auth: null }), 401);
  expect(await client.delete('/v1/accounts', { auth: null }), 401, 999);
  expect(await client.get('/v1/accounts/alice', { auth: null }), 401, 104);

  const mine = expect(await client.get('/v1/accounts', { auth: ALICE }));
  assert.deepEqual(mine.data.map((a: { id: string }) => a.id), ['alice']);
  expect(await client.get('/v1/accounts/bob', { auth: ALICE }), 403, 121);
  expect(await client.get('/v1/accounts/nobody', { auth: ALICE }), 403, 121);
  expect(await client.patch('/v1/accounts/bob', { data: { password: 'x' } }, { auth: ALICE }), 403, 121);
  expect(await client.delete('/v1/accounts/bob', { auth: ALICE }), 403, 121);

  const mismatch = expect(await client.put('/v1/accounts/carol', { data: { password: 'x' } }, { auth: BOB }), 400, 107);
  assert.equal(mismatch.message, 'data.id in body: Username and account ID do not match.');
  assert.equal(mismatch.details[0].name, 'data.id');
  await assert.rejects(storedAccount(client.kinto, 'carol'));

  // Own account: read, extra fields, PATCH without password keeps the hash.
  const own = expect(await client.get('/v1/accounts/alice', { auth: ALICE }));
  assert.deepEqual(own.permissions, { write: ['account:alice'] });
  const patched = expect(await client.patch('/v1/accounts/alice', { data: { nickname: 'al' } }, { auth: ALICE }));
  assert.equal(patched.data.password, own.data.password);
  assert.equal(patched.data.nickname, 'al');
  assert.equal(await userId(client, ALICE), 'account:alice');
  // PUT replaces: the password is required again.
  expect(await client.put('/v1/accounts/alice', { data: { nickname: 'x' } }, { auth: ALICE }), 400, 107);
  expect(await client.delete('/v1/accounts/alice', { auth: ALICE }), 200);
  assert.equal(await userId(client, ALICE), undefined);
});

test('a password change drops the cached login: the old password is refused (checklist 212)', async (t) => {
  const client = await accountsServer(t);
  await signUp(client, 'alice', '123456');
  assert.equal(await userId(client, ALICE), 'account:alice');
  expect(await client.patch('/v1/accounts/alice', { data: { password: 'n3w' } }, { auth: ALICE }));
  expect(await client.get('/v1/accounts/alice', { auth: ALICE }), 401, 104);
  assert.equal(await userId(client, basicAuth('alice', 'n3w')), 'account:alice');
  // JSON-Patch changes the password too, and it is hashed.
  const reply = await client.request('PATCH', '/v1/accounts/alice', {
    auth: basicAuth('alice', 'n3w'),
    raw: JSON.stringify([{ op: 'replace', path: '/data/password', value: 'patched' }]),
    headers: { 'content-type': 'application/json-patch+json' },
  });
  assert.match(expect(reply).data.password, /^\$2b\$/);
  assert.equal(await userId(client, basicAuth('alice', 'patched')), 'account:alice');
  assert.equal(await userId(client, basicAuth('alice', 'n3w')), undefined);

  // With `account basicauth`, the old password falls through to a basicauth user (403).
  const both = await accountsServer(t, { 'multiauth.policies': 'account basicauth' });
  await signUp(both, 'alice', '123456');
  expect(await both.put('/v1/accounts/alice', { data: { password: 'n3w' } }, { auth: ALICE }));
  expect(await both.get('/v1/accounts/alice', { auth: ALICE }), 403, 121);
});

test('with account basicauth, a wrong account password gives a basicauth: user id (checklist 214, settings §8.6)', async (t) => {
  const client = await accountsServer(t, { 'multiauth.policies': 'account basicauth' });
  await signUp(client, 'alice', '123456');
  assert.equal(await userId(client, ALICE), 'account:alice');
  assert.equal(await userId(client, basicAuth('alice', 'wrong')), `basicauth:${hmacDigest('', 'alice:wrong')}`);
  // A 401 lists both challenges, in policy order (settings §5.5).
  const refused = await client.get('/v1/accounts/alice', { auth: null });
  assert.deepEqual(challenges(refused), ['Basic realm="Realm"', 'Basic realm="Realm"']);
});

test('administrators: write+read list every account and delete any; write only lists their own (acceptance, checklist 213)', async (t) => {
  const admin = basicAuth('admin', 'adm1n');
  const BOB = basicAuth('bob', 'secret');
  for (const readToo of [true, false]) {
    const client = await accountsServer(t, {
      account_write_principals: 'account:admin',
      ...(readToo ? { account_read_principals: 'account:admin' } : {}),
    });
    for (const [name, password] of [['admin', 'adm1n'], ['alice', '123456'], ['bob', 'secret'], ['carol', 'c']] as const) {
      await signUp(client, name, password);
    }
    const listed = expect(await client.get('/v1/accounts?_sort=id', { auth: admin })).data.map((a: { id: string }) => a.id);
    assert.deepEqual(listed, readToo ? ['admin', 'alice', 'bob', 'carol'] : ['admin']);
    // One by one, an admin reads, changes and deletes any account.
    const bob = expect(await client.get('/v1/accounts/bob', { auth: admin }));
    assert.deepEqual(bob.permissions, { write: ['account:bob'] });
    expect(await client.patch('/v1/accounts/carol', { data: { note: 'by admin' } }, { auth: admin }));
    expect(await client.delete('/v1/accounts/bob', { auth: admin }), 200);
    assert.equal(await userId(client, BOB), undefined);
    expect(await client.get('/v1/accounts/bob', { auth: admin }), 404, 110);
    // Accounts an admin creates belong to themselves, not to the admin.
    const made = expect(await client.post('/v1/accounts', { data: { id: 'dave', password: 'd' } }, { auth: admin }), 201);
    assert.deepEqual(made.permissions, { write: ['account:dave'] });
    assert.equal(await userId(client, basicAuth('dave', 'd')), 'account:dave');
    const missing = expect(await client.post('/v1/accounts', { data: { password: 'd' } }, { auth: admin }), 400);
    assert.equal(missing.message, 'data.id in body: Required');
    // Alice still lists only hers.
    const hers = expect(await client.get('/v1/accounts', { auth: ALICE })).data.map((a: { id: string }) => a.id);
    assert.deepEqual(hers, ['alice']);
    // DELETE /accounts by the admin removes every account it may write (all of them).
    const deleted = expect(await client.delete('/v1/accounts', { auth: admin })).data.map((a: { id: string }) => a.id);
    assert.deepEqual(deleted.sort(), ['admin', 'alice', 'carol', 'dave']);
    assert.equal(await userId(client, ALICE), undefined);
  }
});

test('deleting an account removes its permissions and its cached login', async (t) => {
  const client = await accountsServer(t);
  await signUp(client, 'alice', '123456');
  const key = accountCacheKey('', 'alice');
  assert.equal(await userId(client, ALICE), 'account:alice');
  assert.equal(await client.kinto.registry.cache.get(key), hmacDigest(key, '123456'));
  expect(await client.delete('/v1/accounts/alice', { auth: ALICE }));
  assert.deepEqual(await client.kinto.registry.permission.getObjectPermissions('/accounts/alice'), {});
  assert.equal(await client.kinto.registry.cache.get(key), undefined);
  // Signing up again with the same name starts afresh.
  await signUp(client, 'alice', 'other');
  assert.equal(await userId(client, ALICE), undefined);
});

test('verified passwords are cached under HMAC keys: no username or password in clear, no bcrypt per request', async (t) => {
  const storage = new MemoryStorage();
  let accountReads = 0;
  const counting = new Proxy(storage, {
    get(target, property, receiver) {
      if (property === 'get') {
        return (resource: string, parent: string, id: string) => {
          if (resource === 'account') accountReads++;
          return target.get(resource, parent, id);
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  const client = await accountsServer(t, { userid_hmac_secret: 's3cret', account_cache_ttl_seconds: 60 }, counting);
  await signUp(client, 'alice', '123456');
  accountReads = 0;
  // A burst of requests with new credentials shares one verification.
  await Promise.all(Array.from({ length: 10 }, () => client.get('/v1/', { auth: ALICE })));
  assert.equal(accountReads, 1);
  const key = hmacDigest('s3cret', 'accounts:alice:verified');
  const cached = await client.kinto.registry.cache.get<string>(key);
  assert.equal(cached, hmacDigest(key, '123456'));
  assert.ok(!cached!.includes('123456') && !key.includes('alice'));
  // Once cached, logins neither read the account nor run bcrypt: even a hash changed
  // behind the server's back is not consulted until the entry expires or is dropped.
  await storage.update('account', 'alice', 'alice', { id: 'alice', password: bcrypt.hashSync('other', 4) });
  for (let i = 0; i < 5; i++) assert.equal(await userId(client, ALICE), 'account:alice');
  assert.equal(accountReads, 1);
  // A wrong password is never served from the cache.
  assert.equal(await userId(client, basicAuth('alice', '1234567')), undefined);
  await client.kinto.registry.cache.delete(key);
  assert.equal(await userId(client, ALICE), undefined);
  assert.equal(await userId(client, basicAuth('alice', 'other')), 'account:alice');
});

test('start-up checks: policy defined, basicauth not first, creators are admins (settings §5.6, §8.7)', async () => {
  const start = (values: Record<string, unknown>) => createServer(testSettings({ ...ACCOUNTS, ...values }), { logger: false });
  await assert.rejects(start({ 'multiauth.policy.account.use': '' , 'multiauth.policies': 'basicauth' }), {
    name: 'StartupError',
    message: /Account policy missing the 'multiauth\.policy\.\*\.use' setting/,
  });
  await assert.rejects(start({ 'multiauth.policies': 'basicauth account' }), {
    name: 'StartupError',
    message: /'basicauth' should not be mentioned before 'account' in 'multiauth.policies' setting/,
  });
  await assert.rejects(start({ account_create_principals: 'system.Everyone account:boss', account_write_principals: 'account:admin' }), {
    name: 'StartupError',
    message: /Affected users: account:boss/,
  });
  // The Python dotted paths and the kinto-ts name all select the policy, under any name.
  for (const use of [
    'kinto.plugins.accounts.AccountsPolicy',
    'kinto.plugins.accounts.authentication.AccountsAuthenticationPolicy',
    '@kinto-ts/server/accounts',
  ]) {
    const kinto = await start({ 'multiauth.policies': 'users', 'multiauth.policy.users.use': use, 'multiauth.policy.account.use': '' });
    const client = clientOf(kinto);
    await signUp(client, 'alice', '123456');
    assert.equal(await userId(client, ALICE), 'account:alice', use);
    await kinto.close();
  }
  const fine = await start({ account_create_principals: 'system.Everyone account:admin', account_write_principals: 'account:admin' });
  await fine.close();
});

test('account_create_principals decides who signs up; an unknown plugin setting type is a start-up error', async (t) => {
  const closed = await accountsServer(t, { account_create_principals: 'account:admin', account_write_principals: 'account:admin' });
  expect(await closed.put('/v1/accounts/alice', { data: { password: 'x' } }, { auth: null }), 401, 104);
  await assert.rejects(createServer(testSettings({ ...ACCOUNTS, account_cache_ttl_seconds: 'soon' }), { logger: false }), {
    name: 'StartupError',
    message: /account_cache_ttl_seconds/,
  });
});

test('the permissions endpoint lists accounts and the root account:create', async (t) => {
  const client = await accountsServer(t, { experimental_permissions_endpoint: true });
  await signUp(client, 'alice', '123456');
  const entries = expect(await client.get('/v1/permissions', { auth: ALICE })).data;
  assert.deepEqual(
    entries.find((e: { uri: string }) => e.uri === '/accounts/alice'),
    { uri: '/accounts/alice', resource_name: 'account', id: 'alice', account_id: 'alice', permissions: ['read', 'write'] },
  );
  assert.deepEqual(entries.find((e: { uri: string }) => e.uri === '/'), { uri: '/', resource_name: 'root', permissions: ['account:create', 'bucket:create'] });
});

test('DELETE /__user_data__/account:alice deletes her account', async (t) => {
  const client = await accountsServer(t, { account_write_principals: 'account:admin', 'user-data_delete_principals': 'account:admin' });
  await signUp(client, 'admin', 'adm1n');
  await signUp(client, 'alice', '123456');
  assert.equal(await userId(client, ALICE), 'account:alice');
  expect(await client.delete('/v1/__user_data__/account:alice', { auth: basicAuth('admin', 'adm1n') }));
  await assert.rejects(storedAccount(client.kinto, 'alice'), { name: 'ObjectNotFoundError' });
  assert.equal(await userId(client, ALICE), undefined);
});

const redisSkip = await serviceSkip('redis');

test('with the Redis cache: logins are cached there and dropped on password change', { skip: redisSkip }, async (t) => {
  const prefix = uniquePrefix('accounts');
  const client = await accountsServer(t, { cache_backend: 'kinto.core.cache.redis', cache_url: redisTestUrl(), cache_prefix: prefix });
  await signUp(client, 'alice', '123456');
  assert.equal(await userId(client, ALICE), 'account:alice');
  const key = accountCacheKey('', 'alice');
  assert.equal(await client.kinto.registry.cache.get(key), hmacDigest(key, '123456'));
  const ttl = await client.kinto.registry.cache.ttl(key);
  assert.ok(ttl > 0 && ttl <= 30, `ttl ${ttl}`);
  expect(await client.patch('/v1/accounts/alice', { data: { password: 'n3w' } }, { auth: ALICE }));
  assert.equal(await client.kinto.registry.cache.get(key), undefined);
  assert.equal(await userId(client, ALICE), undefined);
  // Every key of this test lives under its own prefix, with a TTL.
  await client.kinto.registry.cache.flush();
});

const pgSkip = await serviceSkip('postgresql');

test('on PostgreSQL: sign-up, login, the admin lists and deletes every account', { skip: pgSkip }, async (t) => {
  const db = await createTestDatabase('accounts');
  t.after(() => db.drop());
  const values = {
    ...ACCOUNTS,
    storage_backend: 'kinto.core.storage.postgresql',
    storage_url: db.url,
    permission_backend: 'kinto.core.permission.postgresql',
    permission_url: db.url,
    account_write_principals: 'account:admin',
    account_read_principals: 'account:admin',
  };
  const backends = await createBackends({ settings: testSettings(values), log: pino({ level: 'silent' }) });
  for (const backend of [backends.storage, backends.permission]) await (backend as { migrate?: () => Promise<void> }).migrate?.();
  await Promise.all([backends.storage.close(), backends.permission.close(), backends.cache.close()]);
  const kinto = await createServer(testSettings(values), { logger: false });
  t.after(() => kinto.close());
  const client = clientOf(kinto);
  const admin = basicAuth('admin', 'adm1n');
  for (const [name, password] of [['admin', 'adm1n'], ['alice', '123456'], ['bob', 'b']] as const) await signUp(client, name, password);
  assert.equal(await userId(client, ALICE), 'account:alice');
  assert.deepEqual(expect(await client.get('/v1/accounts?_sort=id', { auth: admin })).data.map((a: { id: string }) => a.id), ['admin', 'alice', 'bob']);
  assert.deepEqual(expect(await client.get('/v1/accounts', { auth: ALICE })).data.map((a: { id: string }) => a.id), ['alice']);
  expect(await client.patch('/v1/accounts/alice', { data: { password: 'n3w' } }, { auth: ALICE }));
  assert.equal(await userId(client, ALICE), undefined);
  const deleted = expect(await client.delete('/v1/accounts', { auth: admin })).data.map((a: { id: string }) => a.id);
  assert.deepEqual(deleted.sort(), ['admin', 'alice', 'bob']);
  assert.equal(await userId(client, basicAuth('bob', 'b')), undefined);
});
