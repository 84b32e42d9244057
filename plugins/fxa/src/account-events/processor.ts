// Processing one queue message (fxa.md §10.3): junk and unknown events are logged
// and dropped; `delete` removes the account's default buckets. A storage failure
// propagates, so that the worker keeps the message for redelivery.
import type { Logger } from '@kinto-ts/core';
import { deleteDefaultBuckets, userIdsOf, type DeletionTarget } from './delete-user.js';
import { parseAccountMessage } from './message.js';

export type Outcome = 'deleted' | 'dropped';

export interface ProcessorOptions {
  target: DeletionTarget;
  /** User id prefixes (`fxa:`), one per configured FxA policy name. */
  prefixes: readonly string[];
  /** Named FxA clients (`notes`, `lockbox`). */
  clients: readonly string[];
  log: Logger;
}

export class AccountEventProcessor {
  constructor(private readonly options: ProcessorOptions) {}

  async process(body: string): Promise<Outcome> {
    const { log } = this.options;
    const message = parseAccountMessage(body);
    if (!message.ok) {
      log.error(`Invalid account message: ${message.reason}`);
      return 'dropped';
    }
    if (message.event !== 'delete') {
      log.warn(`Dropping unknown event type '${message.event}'`);
      return 'dropped';
    }
    log.info(`Processing account delete for '${message.uid}'`);
    await deleteDefaultBuckets(this.options.target, userIdsOf(message.uid, this.options.prefixes, this.options.clients));
    return 'deleted';
  }
}
