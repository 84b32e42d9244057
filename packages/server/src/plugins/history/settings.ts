// Settings of the history plugin (settings.md §3.13). All accept the `kinto.`
// prefix in the `.ini` and `KINTO_HISTORY_…` environment overrides.
import type { SettingsSpec } from '@kinto-ts/core';

export interface HistorySettings {
  'history.exclude_resources': string[];
  'history.exclude_user_ids': string[];
  'history.auto_trim_max_count': number;
  'history.auto_trim_user_ids': string[];
  'history.auto_trim_threshold': number;
}

export const HISTORY_SETTINGS = {
  'history.exclude_resources': {
    type: 'array',
    items: { type: 'string' },
    default: [],
    description: 'URIs of buckets, collections, groups or records whose changes are not recorded.',
  },
  'history.exclude_user_ids': { type: 'array', items: { type: 'string' }, default: [], description: 'User ids whose changes are not recorded.' },
  'history.auto_trim_max_count': {
    type: 'integer',
    default: -1,
    description: 'Keep only this many entries per resource name in a bucket (≤ 0: no trimming).',
  },
  'history.auto_trim_user_ids': {
    type: 'array',
    items: { type: 'string' },
    default: [],
    description: 'Only trim the entries of these users, counted per user.',
  },
  'history.auto_trim_threshold': {
    type: 'integer',
    default: 100,
    minimum: 0,
    description: 'Trim only once the count exceeds the maximum by this much (fewer deletions).',
  },
} satisfies SettingsSpec;

/** Parses an excluded URI for the capability (`/buckets/b/collections/c` → `{bucket, collection}`). */
export function uriToDict(uri: string): Record<string, string> | null {
  const parts = uri.split('/');
  if (parts[0] !== '' || parts[1] !== 'buckets') return null;
  if (parts.length === 3) return { bucket: parts[2]! };
  if (parts.length === 5 && parts[3] === 'collections') return { bucket: parts[2]!, collection: parts[4]! };
  if (parts.length === 5 && parts[3] === 'groups') return { bucket: parts[2]!, group: parts[4]! };
  if (parts.length === 7 && parts[3] === 'collections' && parts[5] === 'records') {
    return { bucket: parts[2]!, collection: parts[4]!, record: parts[6]! };
  }
  return null;
}
