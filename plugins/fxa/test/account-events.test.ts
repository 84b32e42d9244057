// The account-events worker in-process (fxa.md §10, checklist 65–71, 74–75): the
// command line, junk and unknown events dropped and deleted from the queue, user ids
// and bucket ids, and a storage failure keeping the message. Messages travel
// through the real AWS SDK to the SQS fixture.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { KintoApp, Storage } from '@kinto-ts/core';
import { defaultBucketId } from '@kinto-ts/server';
import { main, parseCommandLine, processorFor } from '../src/account-events/cli.js';
import { userIdsOf } from '../src/account-events/delete-user.js';
import { SqsQueue } from '../src/account-events/queue.js';
import { runWorker } from '../src/account-events/worker.js';
import { startFakeSqs, type FakeSqs } from './fixtures/sqs-server.js';
import { captureLogs, startKinto } from './helpers.js';

process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

const envelope = (event: unknown) => JSON.stringify({ Type: 'Notification', MessageId: 'm', Message: JSON.stringify(event) });

async function sqs(t: TestContext): Promise<FakeSqs> {
  const fake = await startFakeSqs();
  t.after(() => fake.stop());
  fake.createQueue('account-events');
  return fake;
}

/** Runs the worker until the queue is drained, then stops it as SIGTERM would. */
async function drain(kinto: KintoApp, fake: FakeSqs): Promise<number> {
  const queue = await SqsQueue.open({ queueName: 'account-events', region: 'us-east-1', endpoint: fake.endpoint, waitTimeSeconds: 1 });
  const stop = new AbortController();
  const watcher = setInterval(() => {
    if (fake.pending('account-events').length === 0) stop.abort();
  }, 10);
  try {
    return await runWorker(queue, processorFor(kinto), stop.signal, kinto.registry.log);
  } finally {
    clearInterval(watcher);
    queue.close();
  }
}

test('command line: defaults of process-account-events (queue wait 20, no region, default ini)', () => {
  assert.deepEqual(parseCommandLine(['process-account-events', 'my-queue-name'], {}), {
    ok: true,
    line: { ini: 'config/kinto.ini', command: 'process-account-events', queue: 'my-queue-name', region: null, waitTimeSeconds: 20, fromFile: null },
  });
  const line = parseCommandLine(['--ini', 'x.ini', 'process-account-events', 'q', '--aws-region', 'eu-west-1', '--queue-wait-time', '5'], {});
  assert.ok(line.ok);
  assert.equal(line.line.ini, 'x.ini');
  assert.equal(line.line.region, 'eu-west-1');
  assert.equal(line.line.waitTimeSeconds, 5);
  const fromEnv = parseCommandLine(['process-account-events', 'q'], { KINTO_INI: 'env.ini' });
  assert.ok(fromEnv.ok && fromEnv.line.ini === 'env.ini');
});

test('command line: a missing sub-command, an unknown one or a bad value exit with status 2', async () => {
  for (const argv of [[], ['--ini', 'x.ini'], ['nope'], ['process-account-events'], ['process-account-events', 'q', '--queue-wait-time', 'x'], ['process-account-events', 'q', '--bogus']]) {
    const parsed = parseCommandLine(argv, {});
    assert.ok(!parsed.ok && parsed.status === 2, JSON.stringify(argv));
  }
  let stderr = '';
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((stderr += chunk.toString()), done()) });
  assert.equal(await main([], { stdout: sink, stderr: sink }), 2);
  assert.match(stderr, /^usage: kinto-fxa/);
  assert.match(stderr, /required: subcommand/);
});

test('bucket ids: the default_bucket function, vectors of fxa.md §10.3', () => {
  assert.equal(defaultBucketId('efghi', 'abcd'), '719b8628-0230-7b89-46e8-a365d68a66d1');
  assert.equal(defaultBucketId('efghi', 'fxa:abcd'), '24772806-ad27-c141-70c5-cbb024b6ad6b');
  assert.equal(defaultBucketId('efghi', 'fxa:abcd-notes'), 'b8a7b9f2-5418-42bb-e104-3fdcdf788ffc');
});

test('user ids: every FxA policy name and every client; no FxA policy means no prefix', async (t) => {
  assert.deepEqual(userIdsOf('abcd', ['ffxxaa:'], ['notes', 'lockbox']), ['ffxxaa:abcd', 'ffxxaa:abcd-notes', 'ffxxaa:abcd-lockbox']);
  assert.deepEqual(userIdsOf('abcd', [], []), ['abcd']);
  const logs = captureLogs();
  const kinto = await startKinto(t, {
    includes: 'kinto_fxa',
    'multiauth.policies': 'ffxxaa basicauth',
    'multiauth.policy.ffxxaa.use': 'kinto_fxa.authentication.FxAOAuthAuthenticationPolicy',
    'multiauth.policy.other.use': '@kinto-ts/fxa',
    'fxa-oauth.clients.notes.client_id': 'c73e46074a948932',
    'fxa-oauth.clients.notes.required_scope': 'profile notes',
    'fxa-oauth.clients.lockbox.required_scope': 'profile lockbox',
  }, { logs });
  await processorFor(kinto).process(envelope({ event: 'delete', uid: 'abcd' }));
  const deleting = logs.lines.map((l) => l.msg).filter((m) => m.startsWith('Deleting bucket'));
  const expected = ['ffxxaa:abcd', 'ffxxaa:abcd-notes', 'ffxxaa:abcd-lockbox', 'other:abcd', 'other:abcd-notes', 'other:abcd-lockbox'];
  assert.deepEqual(deleting, expected.map((id) => `Deleting bucket '/buckets/${defaultBucketId('', id)}'`));
});

test('junk, incomplete and unknown events are logged, dropped and deleted from the queue', async (t) => {
  const fake = await sqs(t);
  const logs = captureLogs();
  const kinto = await startKinto(t, { includes: 'kinto_fxa' }, { logs });
  const bodies = [
    'blah',
    envelope({ event: 'delete' }),
    envelope({ event: 'rezone', uid: 'abcd' }),
    '[1, 2]',
    JSON.stringify({ Message: { event: 'delete', uid: 'abcd' } }),
    JSON.stringify({ Message: '{"event": "delete", "uid": 42}' }),
    envelope({ event: 'passwordChange', uid: 'abcd', generation: 1 }),
  ];
  for (const body of bodies) fake.send('account-events', body);
  assert.equal(await drain(kinto, fake), 0);
  assert.deepEqual(fake.deleted, bodies, 'every message is deleted, dropped ones included');
  const invalid = logs.lines.filter((l) => l.msg.startsWith('Invalid account message'));
  assert.equal(invalid.length, 5);
  assert.ok(invalid.every((l) => l.level === 50));
  assert.equal(logs.lines.filter((l) => l.msg === "Dropping unknown event type 'rezone'").length, 1);
  assert.equal(logs.lines.filter((l) => l.msg === "Dropping unknown event type 'passwordChange'").length, 1);
});

test('a storage failure: logged, the message stays in the queue, the worker exits non-zero', async (t) => {
  const fake = await sqs(t);
  const logs = captureLogs();
  const kinto = await startKinto(t, { includes: 'kinto_fxa' }, { logs });
  const storage = kinto.registry.storage as Storage;
  storage.deleteAll = async () => {
    throw new Error('database is down (test)');
  };
  fake.send('account-events', envelope({ event: 'rezone', uid: 'x' }));
  const failing = envelope({ event: 'delete', uid: 'abcd' });
  fake.send('account-events', failing);
  assert.equal(await drain(kinto, fake), 1);
  assert.ok(logs.lines.some((l) => l.msg === 'Error while processing account events' && l.level === 50));
  assert.deepEqual(fake.pending('account-events'), [failing]);
});
