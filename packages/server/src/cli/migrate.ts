// `kinto migrate` (settings.md §6): creates or upgrades the PostgreSQL schemas of the
// cache, storage and permission backends, in Kinto's order; memory backends need
// nothing. In read-only mode the storage and permission schemas are left alone.
// Safe to run again, and from several processes at once (an advisory lock serialises them).
import { isMigratable } from '@kinto-ts/core';
import { withBackends } from './backends.js';
import type { Command } from './index.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Create or upgrade the database schemas of the backends.',
  usage: '[--ini FILE] [--dry-run]',
  options: { 'dry-run': { type: 'boolean' } },
  async run(context) {
    const dryRun = context.values['dry-run'] === true;
    await withBackends(context, async ({ settings, log, backends }) => {
      for (const [kind, backend] of [
        ['cache', backends.cache],
        ['storage', backends.storage],
        ['permission', backends.permission],
      ] as const) {
        if (settings.core.readonly && kind !== 'cache') {
          log.error(`Cannot migrate the ${kind} backend while in readonly mode.`);
          continue;
        }
        if (isMigratable(backend)) await backend.migrate({ dryRun, log });
      }
    });
    return 0;
  },
};
