// serializeJson keeps the JSON text of deep-frozen objects (the memory storage's
// records): the envelope it assembles must be byte-for-byte what JSON.stringify
// and Kinto's escaping give, and nothing that can still change may be kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeJson } from '../src/http/json.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function escaped(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

test('an envelope of frozen records serialises exactly as JSON.stringify, twice in a row', () => {
  const records = [
    deepFreeze({ id: 'a', title: 'Été', n: 1, tags: ['x', 'ü'], nested: { deep: [1, { k: null }] }, last_modified: 12 }),
    deepFreeze({ id: 'b', skipped: undefined, last_modified: 13 }),
  ];
  const envelope = { data: records, empty: [], count: 2, absent: undefined, label: 'ok/ok' };
  for (let i = 0; i < 2; i++) assert.equal(serializeJson(envelope), escaped(envelope));
  assert.equal(serializeJson({ data: [] }), '{"data":[]}');
});

test('objects that can still change are never served from a kept text', () => {
  const shallow = Object.freeze({ id: 'a', nested: { v: 1 } });
  assert.equal(serializeJson({ data: [shallow] }), '{"data":[{"id":"a","nested":{"v":1}}]}');
  shallow.nested.v = 2;
  assert.equal(serializeJson({ data: [shallow] }), '{"data":[{"id":"a","nested":{"v":2}}]}');

  const date = Object.freeze(new Date(0));
  const withDate = Object.freeze({ id: 'd', at: date });
  assert.equal(serializeJson({ data: [withDate] }), JSON.stringify({ data: [withDate] }));
  date.setTime(1000);
  assert.equal(serializeJson({ data: [withDate] }), JSON.stringify({ data: [withDate] }));

  const mutable = { id: 'm' };
  assert.equal(serializeJson({ data: [mutable] }), '{"data":[{"id":"m"}]}');
  mutable.id = 'n';
  assert.equal(serializeJson({ data: [mutable] }), '{"data":[{"id":"n"}]}');
});

test('other shapes keep JSON.stringify semantics (toJSON, nested objects, top-level arrays)', () => {
  const frozen = deepFreeze({ id: 'a' });
  const cases: unknown[] = [
    { data: [frozen], meta: { page: 1 } },
    [frozen],
    { data: [frozen], toJSON: () => ({ replaced: true }) },
    { data: [frozen, 'text'] },
    null,
    'Ωmega',
  ];
  for (const value of cases) assert.equal(serializeJson(value), escaped(value));
});
