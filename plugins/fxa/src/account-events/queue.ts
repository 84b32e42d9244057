// Where account events come from (fxa.md §10.2): a small receive/delete interface,
// implemented by Amazon SQS (the only production source) and by a file of message
// bodies, one per line (`--from-file`, for operations and tests).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface QueueMessage {
  body: string;
  /** SQS receipt handle (what deleting the message needs). */
  receipt: string;
}

export interface AccountEventQueue {
  /** The next messages; an empty list after a long poll without news; null when the source is exhausted. */
  receive(signal: AbortSignal): Promise<QueueMessage[] | null>;
  delete(message: QueueMessage): Promise<void>;
  close(): void;
}

export interface SqsOptions {
  queueName: string;
  /** null: the AWS SDK's region chain (AWS_REGION, shared config). */
  region: string | null;
  /** null: AWS (or AWS_ENDPOINT_URL_SQS, which the SDK reads itself). */
  endpoint: string | null;
  waitTimeSeconds: number;
}

export class SqsQueue implements AccountEventQueue {
  private constructor(
    private readonly client: SQSClient,
    private readonly url: string,
    private readonly waitTimeSeconds: number,
  ) {}

  /** Looks the queue up by name (GetQueueUrl), as upstream's `get_queue_by_name`. */
  static async open(options: SqsOptions): Promise<SqsQueue> {
    const client = new SQSClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      // Retries belong to the next long poll, not to a hidden loop inside the SDK.
      maxAttempts: 1,
    });
    try {
      const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: options.queueName }));
      if (!QueueUrl) throw new Error(`no URL for SQS queue '${options.queueName}'`);
      return new SqsQueue(client, QueueUrl, options.waitTimeSeconds);
    } catch (error) {
      client.destroy();
      throw error;
    }
  }

  async receive(signal: AbortSignal): Promise<QueueMessage[]> {
    const answer = await this.client.send(
      new ReceiveMessageCommand({ QueueUrl: this.url, WaitTimeSeconds: this.waitTimeSeconds, MaxNumberOfMessages: 10 }),
      { abortSignal: signal },
    );
    return (answer.Messages ?? []).map((m) => ({ body: m.Body ?? '', receipt: m.ReceiptHandle ?? '' }));
  }

  async delete(message: QueueMessage): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: message.receipt }));
  }

  close(): void {
    this.client.destroy();
  }
}

/** Message bodies from a file (`-` for stdin), one per line; blank lines are skipped. */
export class LinesQueue implements AccountEventQueue {
  private readonly lines: AsyncIterator<string>;
  private readonly input: NodeJS.ReadableStream;

  constructor(path: string) {
    this.input = path === '-' ? process.stdin : createReadStream(path, 'utf8');
    this.lines = createInterface({ input: this.input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async receive(): Promise<QueueMessage[] | null> {
    for (;;) {
      const next = await this.lines.next();
      if (next.done) return null;
      if (next.value.trim() !== '') return [{ body: next.value, receipt: '' }];
    }
  }

  async delete(): Promise<void> {}

  close(): void {
    if (this.input !== process.stdin) (this.input as ReturnType<typeof createReadStream>).destroy();
  }
}
