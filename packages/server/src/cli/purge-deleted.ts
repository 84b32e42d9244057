// `kinto purge-deleted <resource>... <max-retained>` (settings.md §6): deletes
// tombstones, keeping at most `max-retained` of them in each list (each parent and
// resource), e.g. `kinto purge-deleted record bucket group 100`.
import { withBackends } from './backends.js';
import type { Command } from './index.js';

const USAGE = '[--ini FILE] RESOURCE [RESOURCE ...] MAX_RETAINED';

export const purgeDeletedCommand: Command = {
  name: 'purge-deleted',
  summary: 'Delete tombstones, keeping at most MAX_RETAINED per parent and resource.',
  usage: USAGE,
  async run(context) {
    const resources = context.positionals.slice(0, -1);
    const maxRetained = context.positionals.at(-1);
    if (resources.length === 0 || maxRetained === undefined) {
      context.stderr.write(`usage: kinto purge-deleted ${USAGE}\n\nkinto purge-deleted: error: the following arguments are required: resources, max-retained\n`);
      return 2;
    }
    if (!/^\d+$/.test(maxRetained)) {
      context.stderr.write(`usage: kinto purge-deleted ${USAGE}\n\nkinto purge-deleted: error: argument max-retained: invalid int value: '${maxRetained}'\n`);
      return 2;
    }
    await withBackends(context, async ({ log, backends }) => {
      await backends.storage.initialize();
      log.info(`Keep only ${maxRetained} tombstones per parent and resource.`);
      let count = 0;
      for (const resource of resources) {
        count += await backends.storage.purgeDeleted(resource, '*', { maxRetained: Number(maxRetained) });
      }
      log.info(`${count} tombstone(s) deleted.`);
    });
    return 0;
  },
};
