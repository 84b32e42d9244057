// The verification cache wrapper (fxa.md §5.1, checklist 1–6): a failing cache
// never prevents authentication.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryCache } from '@kinto-ts/core';
import { SafeCache } from '../src/index.js';
import { InspectableCache, captureLogs, fxaSettings, hello, startFxa, startKinto, userOf } from './helpers.js';

function wrapper(cache = new InspectableCache(new MemoryCache({ maxSizeBytes: 1_000_000 }))) {
  const logs = captureLogs();
  return { cache, logs, safe: new SafeCache(cache, logs.logger, 'test') };
}

test('a write followed by a read returns the written value', async () => {
  const { safe } = wrapper();
  await safe.set('k', { user: 'u', scope: ['a'] }, 10);
  assert.deepEqual(await safe.get('k'), { user: 'u', scope: ['a'] });
});

test('a delete makes the following read return nothing', async () => {
  const { safe } = wrapper();
  await safe.set('k', 'v', 10);
  await safe.delete('k');
  assert.equal(await safe.get('k'), undefined);
});

test('a value is gone after its TTL', async () => {
  const { safe } = wrapper();
  await safe.set('k', 'v', 0.01);
  await sleep(20);
  assert.equal(await safe.get('k'), undefined);
});

test('failing get, set and delete are logged and never thrown', async () => {
  const { cache, logs, safe } = wrapper();
  cache.failing = new Set(['get', 'set', 'delete']);
  assert.equal(await safe.get('k'), undefined);
  await safe.set('k', 'v', 10);
  await safe.delete('k');
  const warnings = logs.lines.filter((l) => l.level === 40).map((l) => l.msg);
  assert.deepEqual(warnings, ['kinto-fxa: cache get failed in test', 'kinto-fxa: cache set failed in test', 'kinto-fxa: cache delete failed in test']);
});

test('a cache whose get throws: logged, treated as a miss, the request is authenticated by asking FxA', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  const logs = captureLogs();
  const kinto = await startKinto(t, fxaSettings(fxa), { cache, logs });
  const token = await fxa.mint({ user: 'u1', scope: ['kinto'] });
  cache.failing.add('get');
  assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:u1');
  assert.equal(userOf((await hello(kinto, token)).body)?.id, 'fxa:u1');
  assert.equal(fxa.calls.verify, 2, 'every read is a miss');
  assert.ok(logs.lines.some((l) => l.msg === 'kinto-fxa: cache get failed in fxa-oauth:verify'));
});

test('a cache whose set throws: logged, the request is still authenticated', async (t) => {
  const fxa = await startFxa(t);
  const cache = new InspectableCache();
  const logs = captureLogs();
  const kinto = await startKinto(t, fxaSettings(fxa), { cache, logs });
  cache.failing.add('set');
  assert.equal(userOf((await hello(kinto, await fxa.mint({ user: 'u2', scope: ['kinto'] }))).body)?.id, 'fxa:u2');
  assert.ok(logs.lines.some((l) => l.msg === 'kinto-fxa: cache set failed in fxa-oauth:verify'));
});
