// `kinto flush-cache` (settings.md §6): empties the cache backend (every key under
// `cache_prefix`), e.g. after changing secrets or to drop stale token verifications.
import { BackendError, StartupError, createBackends, loadSettingsFromIni } from '@kinto-ts/core';
import { cliLogger, closeBackends } from './migrate.js';
import type { Command } from './index.js';

export const flushCacheCommand: Command = {
  name: 'flush-cache',
  summary: 'Empty the cache backend.',
  async run(context) {
    const settings = loadSettingsFromIni(context.ini);
    const log = cliLogger(context);
    const backends = await createBackends({ settings, log });
    try {
      await backends.cache.initialize();
      await backends.cache.flush();
      log.info('Cache has been cleared.');
    } catch (error) {
      if (error instanceof BackendError) throw new StartupError('KINTO_ERR_BACKEND', error.message, { cause: error });
      throw error;
    } finally {
      await closeBackends(backends);
    }
    return 0;
  },
};
