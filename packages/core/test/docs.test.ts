// docs/configuration.md documents every core setting.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { CORE_SETTINGS } from '../src/index.js';

test('every core setting is documented in docs/configuration.md', () => {
  const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');
  const missing = Object.keys(CORE_SETTINGS).filter((key) => !doc.includes(`\`${key}\``));
  assert.deepEqual(missing, []);
});
