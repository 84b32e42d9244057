// The worker loop (fxa.md §10.2): receive, process, delete — unusable messages
// included, so they never pile up. A processing failure keeps the message for SQS
// to redeliver and stops with a non-zero status. A stop signal ends the loop once
// the message in hand is done.
import type { Logger } from '@kinto-ts/core';
import type { AccountEventProcessor } from './processor.js';
import type { AccountEventQueue } from './queue.js';

export async function runWorker(queue: AccountEventQueue, processor: AccountEventProcessor, signal: AbortSignal, log: Logger): Promise<number> {
  while (!signal.aborted) {
    let messages;
    try {
      messages = await queue.receive(signal);
    } catch (error) {
      if (signal.aborted) break;
      log.error({ err: error }, 'Error while receiving account events');
      return 1;
    }
    if (messages === null) break;
    for (const message of messages) {
      // Messages not started are left in the queue: SQS makes them visible again.
      if (signal.aborted) break;
      try {
        await processor.process(message.body);
      } catch (error) {
        log.error({ err: error }, 'Error while processing account events');
        return 1;
      }
      await queue.delete(message);
    }
  }
  return 0;
}
