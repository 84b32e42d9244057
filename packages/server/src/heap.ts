// Memory-lean V8 heap for servers started from an `.ini` (`kinto start`,
// `createServerFromIni`; setting `lean_heap`, default true). With Node's defaults
// the young generation grows to 2 × 16 MB and the old generation to several times
// its live size before a full GC; long-lived cache entries promoted among request
// garbage then keep most of it resident. Measured (docs/performance.md): 100k cached
// token verifications take ~330 MB RSS with the defaults, ~130 MB with these flags,
// at the same record-page throughput; allocation-heavy paths (first verification of
// a token) cost more CPU.
//
// Both flags are read by V8 whenever it sizes a space, so they take effect when set
// at run time (`v8.setFlagsFromString`), unlike `--max-semi-space-size`. A process
// started with heap flags of its own (command line or NODE_OPTIONS) is left alone.
import { setFlagsFromString } from 'node:v8';
import type { Settings } from '@kinto-ts/core';

export const LEAN_HEAP_FLAGS = ['--heap-growing-percent=20', '--semi-space-growth-factor=1'] as const;

const OWN_HEAP_FLAGS = /--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor|heap-growing-percent|optimize-for-size|max-old-space-size)\b/;

let applied = false;

/** The flags set for this process (none when `lean_heap` is off or the process has heap flags of its own). */
export function applyHeapSettings(
  settings: Pick<Settings, 'core'>,
  processFlags: string = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '),
): readonly string[] {
  if (!settings.core.lean_heap || OWN_HEAP_FLAGS.test(processFlags)) return [];
  if (!applied) {
    for (const flag of LEAN_HEAP_FLAGS) setFlagsFromString(flag);
    applied = true;
  }
  return LEAN_HEAP_FLAGS;
}
