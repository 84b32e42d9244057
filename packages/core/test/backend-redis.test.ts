// The shared cache suite against Redis, under a key prefix of this file's own.
import { test } from 'node:test';
import { RedisCache } from '../src/cache/redis.js';
import { cacheSuite, redisTestUrl, serviceSkip, uniquePrefix } from '../src/testing/index.js';

const skip = await serviceSkip('redis');
const root = uniquePrefix('backend-redis');

cacheSuite(
  test,
  async ({ prefix }) => {
    const cache = new RedisCache({ url: redisTestUrl(), prefix: `${root}${prefix}` });
    await cache.initialize();
    return cache;
  },
  { skip },
);
