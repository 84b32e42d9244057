// `kinto flush-cache` (settings.md §6): empties the cache backend (every key under
// `cache_prefix`), e.g. after changing secrets or to drop stale token verifications.
import { withBackends } from './backends.js';
import type { Command } from './index.js';

export const flushCacheCommand: Command = {
  name: 'flush-cache',
  summary: 'Empty the cache backend.',
  async run(context) {
    await withBackends(context, async ({ log, backends }) => {
      await backends.cache.initialize();
      await backends.cache.flush();
      log.info('Cache has been cleared.');
    });
    return 0;
  },
};
