// The cache backend suite (STYLE §2, Kinto's `kinto/core/cache/testing.py`): values,
// TTLs, expire/ttl, atomic pop under concurrency, flush, namespaces and prefixes, run
// once per backend. The factory builds a fresh, empty cache with the given `cache_prefix`:
//
//   cacheSuite(test, ({ prefix }) => new MemoryCache({ maxSizeBytes: 1 << 20, prefix }));
//
// Expiry is observed by polling with a generous deadline, never by asserting durations.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cache } from '../cache/index.js';
import { withBackend, type SuiteOptions, type TestFunction } from './storage-suite.js';

export type CacheFactory = (options: { prefix: string }) => Cache | Promise<Cache>;

/** Resolves once `key` is gone; fails after `deadlineMs`. */
async function waitUntilGone(cache: Cache, key: string, deadlineMs = 10_000): Promise<void> {
  const start = Date.now();
  while ((await cache.get(key)) !== undefined) {
    if (Date.now() - start > deadlineMs) assert.fail(`${key} did not expire`);
    await sleep(50);
  }
}

export function cacheSuite(test: TestFunction, factory: CacheFactory, options: SuiteOptions = {}): void {
  let counter = 0;
  const fresh = () => factory({ prefix: `suite${process.pid}-${Date.now()}-${counter++}:` });
  const it = (name: string, body: (cache: Cache) => Promise<void>) =>
    test(`cache: ${name}`, { skip: options.skip ?? false }, withBackend(fresh, body));

  it('answers its heartbeat', async (cache) => {
    assert.equal(await cache.heartbeat(), true);
  });

  it('a generation, when it has one, changes on deletes and flushes of any namespace only', async (cache) => {
    if (cache.generation === undefined) return;
    const other = cache.namespace('other');
    const unchanged: Array<[string, () => Promise<unknown>]> = [
      ['set', () => cache.set('k', 'v', 60)],
      ['get', () => cache.get('k')],
      ['expire', () => cache.expire('k', 30)],
      ['ttl', () => cache.ttl('k')],
      ['pop', () => other.pop('absent')],
      ['heartbeat', () => cache.heartbeat()],
    ];
    for (const [name, operation] of unchanged) {
      const before: number | undefined = cache.generation;
      await operation();
      assert.equal(cache.generation, before, name);
    }
    for (const [name, revoke] of [
      ['delete', () => cache.delete('k')],
      ['delete in a namespace', () => other.delete('k')],
      ['flush', () => cache.flush()],
    ] as Array<[string, () => Promise<unknown>]>) {
      const before: number | undefined = cache.generation;
      await revoke();
      assert.notEqual(cache.generation, before, name);
      assert.equal(other.generation, cache.generation, 'one generation for every namespace');
    }
  });

  it('stores JSON values until their TTL', async (cache) => {
    const values: unknown[] = [{ a: [1, { b: null }] }, [1, 'two'], 'text', 42, 0, false, null, 'é ✓'];
    for (const [i, value] of values.entries()) await cache.set(`k${i}`, value, 60);
    for (const [i, value] of values.entries()) assert.deepEqual(await cache.get(`k${i}`), value);
    assert.equal(await cache.get('absent'), undefined);
    await cache.set('k0', 'replaced', 60);
    assert.equal(await cache.get('k0'), 'replaced');
  });

  it('forgets values once their TTL has passed', async (cache) => {
    await cache.set('short', 'v', 0.2);
    await cache.set('long', 'v', 600);
    await waitUntilGone(cache, 'short');
    assert.equal(await cache.get('long'), 'v');
    assert.equal(await cache.ttl('short'), -2);
  });

  it('reports the remaining TTL, -2 for absent keys', async (cache) => {
    await cache.set('k', 'v', 100);
    const ttl = await cache.ttl('k');
    assert.ok(ttl > 50 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await cache.ttl('absent'), -2);
  });

  it('changes the TTL of a key with expire', async (cache) => {
    await cache.set('extended', 'v', 1);
    await cache.expire('extended', 500);
    assert.ok((await cache.ttl('extended')) > 100);
    await cache.set('shortened', 'v', 500);
    await cache.expire('shortened', 0.2);
    await waitUntilGone(cache, 'shortened');
    await cache.expire('absent', 10);
    assert.equal(await cache.get('absent'), undefined);
  });

  it('deletes a key and returns its value', async (cache) => {
    await cache.set('k', { v: 1 }, 60);
    assert.deepEqual(await cache.delete('k'), { v: 1 });
    assert.equal(await cache.get('k'), undefined);
    assert.equal(await cache.delete('k'), undefined);
  });

  it('pops a value once: of 100 concurrent pops exactly one gets it', async (cache) => {
    await cache.set('state', { nonce: 'n' }, 60);
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.pop('state')));
    assert.deepEqual(results.filter((r) => r !== undefined), [{ nonce: 'n' }]);
    assert.equal(await cache.get('state'), undefined);
  });

  it('keeps namespaces apart, flush empties them all', async (cache) => {
    const states = cache.namespace('states');
    const tokens = cache.namespace('tokens');
    await cache.set('k', 'root', 60);
    await states.set('k', 'state', 60);
    await tokens.set('k', 'token', 60);
    assert.deepEqual([await cache.get('k'), await states.get('k'), await tokens.get('k')], ['root', 'state', 'token']);
    assert.equal(await states.pop('k'), 'state');
    assert.equal(await tokens.get('k'), 'token');
    await tokens.set('other', 1, 60);
    await cache.flush();
    assert.deepEqual([await cache.get('k'), await tokens.get('k'), await tokens.get('other')], [undefined, undefined, undefined]);
  });

  test('cache: keeps caches with different prefixes apart, flush empties only its own', { skip: options.skip ?? false }, async () => {
    const one = await fresh();
    const two = await fresh();
    try {
      await one.set('k', 1, 60);
      await two.set('k', 2, 60);
      assert.equal(await one.get('k'), 1);
      assert.equal(await two.get('k'), 2);
      await one.flush();
      assert.equal(await one.get('k'), undefined);
      assert.equal(await two.get('k'), 2);
    } finally {
      await one.close();
      await two.close();
    }
  });
}
