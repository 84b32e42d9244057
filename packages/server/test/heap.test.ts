// `lean_heap` (server/src/heap.ts): which V8 flags a server started from an `.ini`
// sets. Their effect on RSS is measured by `pnpm bench --only tokens-memory`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { testSettings } from '@kinto-ts/core/testing';
import { applyHeapSettings, LEAN_HEAP_FLAGS } from '../src/heap.js';

test('lean_heap (default) sets the lean flags, unless the process has heap flags of its own', () => {
  assert.deepEqual(applyHeapSettings(testSettings(), ''), LEAN_HEAP_FLAGS);
  assert.deepEqual(applyHeapSettings(testSettings({ lean_heap: false }), ''), []);
  assert.deepEqual(applyHeapSettings(testSettings(), '--max-old-space-size=512'), []);
  assert.deepEqual(applyHeapSettings(testSettings(), '--enable-source-maps --max-semi-space-size=64'), []);
  assert.deepEqual(applyHeapSettings(testSettings({ lean_heap: 'false' }), ''), [], '.ini values are strings');
});

test('the flags are V8 flags this Node accepts', () => {
  // An unknown flag makes node exit with "bad option" before running anything.
  const result = spawnSync(process.execPath, [...LEAN_HEAP_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
