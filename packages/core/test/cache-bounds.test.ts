// The memory cache is bounded per namespace (issue #3 §6): a flood of token
// verifications never evicts login states, and no client grows memory without limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCache } from '../src/index.js';

test('a flood in one namespace neither exceeds the bound nor evicts another namespace', async () => {
  const cache = new MemoryCache({ maxSizeBytes: 64 * 1024 });
  const states = cache.namespace('openid:state');
  const verifications = cache.namespace('openid:verification');
  await states.set('s1', { callback: 'http://app/#' }, 3600);
  for (let i = 0; i < 10_000; i++) await verifications.set(`token-${i}`, { sub: `user-${i}` }, 3600);
  assert.deepEqual(await states.get('s1'), { callback: 'http://app/#' });
  assert.equal(await verifications.get('token-0'), undefined, 'the oldest verifications were evicted');
  assert.deepEqual(await verifications.get('token-9999'), { sub: 'user-9999' });
  const size = (verifications as MemoryCache).sizeBytes;
  assert.ok(size <= 64 * 1024, `namespace holds ${size} bytes`);
});

test('pop is single-use even under concurrent calls; ttl and expire', async () => {
  const cache = new MemoryCache({ maxSizeBytes: 1024 * 1024 });
  await cache.set('state', 'value', 60);
  const results = await Promise.all(Array.from({ length: 100 }, () => cache.pop('state')));
  assert.deepEqual(results.filter((r) => r !== undefined), ['value']);
  assert.equal(await cache.ttl('state'), -2);
  await cache.set('k', 1, 60);
  assert.ok((await cache.ttl('k')) > 55);
  await cache.expire('k', 1);
  assert.ok((await cache.ttl('k')) <= 1);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.equal(await cache.get('k'), undefined, 'expired');
});

test('cache_prefix prefixes keys and flush empties every namespace', async () => {
  const cache = new MemoryCache({ maxSizeBytes: 1024 * 1024, prefix: 'app1:' });
  const other = cache.namespace('x');
  await cache.set('a', 1, 60);
  await other.set('b', 2, 60);
  await cache.flush();
  assert.equal(await cache.get('a'), undefined);
  assert.equal(await other.get('b'), undefined);
});
