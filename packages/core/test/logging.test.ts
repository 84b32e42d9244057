// One summary line per request; credentials never reach a log line.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { createKinto } from '../src/index.js';
import { loggerOptions, TurnBufferedStream } from '../src/logging.js';
import { basicAuth, testSettings } from '../src/testing/index.js';

test('request.summary lines carry the request facts but no credential, token, code or state', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino(loggerOptions('info', 'kinto'), sink);
  const kinto = await createKinto(testSettings(), { logger });
  t.after(() => kinto.close());
  const secretAuth = basicAuth('mat', 'hunter2-very-secret');
  await kinto.app.inject({ url: '/v1/?code=CODE-SECRET&state=STATE-SECRET&access_token=AT-SECRET&x=1', headers: { authorization: secretAuth, 'x-request-id': 'rid-1' } });
  await kinto.app.inject({ url: '/v1/unknown', headers: { authorization: 'Bearer BEARER-SECRET' } });
  const summaries = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.logger === 'request.summary');
  assert.equal(summaries.length, 2);
  const [first, second] = summaries;
  assert.equal(first!.rid, 'rid-1');
  assert.match(String(first!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(first!.code, 200);
  assert.match(String(first!.uid), /^basicauth:[0-9a-f]{64}$/);
  assert.equal(first!.authn_type, 'basicauth');
  assert.deepEqual(first!.querystring, { code: '***', state: '***', access_token: '***', x: '1' });
  assert.equal(second!.errno, 111);
  const all = lines.join('\n');
  for (const secret of ['hunter2', secretAuth.slice(6), 'CODE-SECRET', 'STATE-SECRET', 'AT-SECRET', 'BEARER-SECRET']) {
    assert.ok(!all.includes(secret), `${secret} leaked into the logs`);
  }
});

test('other log lines: secrets in headers, top-level fields and error properties are masked', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino(loggerOptions('info', 'kinto'), sink);
  const err = Object.assign(new Error('upstream refused'), { token: 'ERR-TOKEN-SECRET' });
  logger.warn({ headers: { authorization: 'Bearer HEADER-SECRET' }, client_secret: 'CLIENT-SECRET', err }, 'something');
  const all = lines.join('');
  assert.match(all, /upstream refused/);
  for (const secret of ['HEADER-SECRET', 'CLIENT-SECRET', 'ERR-TOKEN-SECRET']) assert.ok(!all.includes(secret), `${secret} leaked into the logs`);
});

test('no request.summary line (nor its work) below the info level', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const kinto = await createKinto(testSettings(), { logger: pino(loggerOptions('warn', 'kinto'), sink) });
  t.after(() => kinto.close());
  const response = await kinto.app.inject({ url: '/v1/', headers: { authorization: basicAuth('mat', 'pw') } });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(lines, []);
});

test('log lines leave in one write per event-loop turn, in order, none lost', async () => {
  const writes: string[] = [];
  const stream = new TurnBufferedStream({ write: (text: string) => writes.push(text) });
  const logger = pino(loggerOptions('info', 'kinto'), stream);
  logger.info('one');
  logger.info('two');
  logger.warn('three');
  assert.equal(writes.length, 0, 'nothing is written before the turn ends');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 1);
  assert.deepEqual(
    writes[0]!.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg),
    ['one', 'two', 'three'],
  );
  // flushSync (pino's fatal path, process exit) writes what is pending at once.
  logger.info('four');
  stream.flushSync();
  assert.equal(writes.length, 2);
  assert.match(writes[1]!, /"msg":"four"/);
  // A burst does not wait for the end of the turn beyond 256 lines.
  for (let i = 0; i < 300; i++) logger.info(`burst ${i}`);
  assert.equal(writes.length, 3);
  await new Promise((resolve) => setImmediate(resolve));
  const burst = writes.slice(2).join('').split('\n').filter(Boolean);
  assert.equal(burst.length, 300);
  assert.match(burst[299]!, /burst 299/);
});
