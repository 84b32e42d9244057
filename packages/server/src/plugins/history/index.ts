// `kinto.plugins.history` (kinto-api.md B3): records every change of buckets,
// collections, groups and records as history entries of their bucket, serves them
// at `/buckets/{bid}/history` (read, filter, delete), and rebuilds a collection as it
// was at a past time at `/buckets/{bid}/snapshot/collections/{cid}@{timestamp}`.
import {
  definePlugin,
  registerResource,
  resourceCatalog,
  StartupError,
  type Filter,
  type PluginApi,
} from '@kinto-ts/core';
import { historyRecorder, TRACKED_RESOURCES } from './listener.js';
import { HISTORY_SETTINGS, uriToDict, type HistorySettings } from './settings.js';
import { snapshotService } from './snapshot.js';

/** Kinto's HistorySchema: filtering, sorting or projecting anything else is a 400. */
export const HISTORY_FIELDS = [
  'id',
  'last_modified',
  'action',
  'resource_name',
  'uri',
  'user_id',
  'date',
  'bucket_id',
  'collection_id',
  'group_id',
  'record_id',
  'target',
] as const;

const STRING_IDS = new Set(['bucket_id', 'collection_id', 'record_id']);

// `?collection_id=123` must match the id "123" (Kinto's History._extract_filters).
function idsAsStrings(filters: Filter[]): Filter[] {
  return filters.map((f) => {
    if (!STRING_IDS.has(f.field)) return f;
    if (typeof f.value === 'number') return { ...f, value: String(f.value) };
    if (Array.isArray(f.value)) return { ...f, value: f.value.map((v) => (typeof v === 'number' ? String(v) : v)) };
    return f;
  });
}

function includeme(api: PluginApi): void {
  const settings = api.settings.define<HistorySettings>(HISTORY_SETTINGS);
  const capability: Record<string, unknown> = {
    description: 'Track changes on data.',
    url: 'http://kinto.readthedocs.io/en/latest/api/1.x/history.html',
  };
  const max = settings['history.auto_trim_max_count'];
  if (max > 0) capability.auto_trim_max_count = max;
  if (settings['history.auto_trim_user_ids'].length > 0) capability.auto_trim_user_ids = settings['history.auto_trim_user_ids'];
  const excluded = settings['history.exclude_resources'];
  if (excluded.length > 0) {
    capability.excluded_resources = excluded.map((uri) => {
      const parts = uriToDict(uri);
      if (!parts) {
        throw new StartupError(
          'KINTO_ERR_SETTING',
          `invalid URI '${uri}' in history.exclude_resources: expected /buckets/{bid}[/collections/{cid}[/records/{rid}] | /groups/{gid}]`,
        );
      }
      return parts;
    });
  }
  api.addCapability('history', capability);

  api.events.on(
    'ResourceChanged',
    historyRecorder({
      storage: api.storage,
      permission: api.permission,
      settings,
      explicitPermissions: api.settings.core.explicit_permissions,
      log: api.log,
    }),
    { resources: TRACKED_RESOURCES },
  );

  // kinto/plugins/history/__init__.py: PERMISSIONS_INHERITANCE_TREE["history"].
  resourceCatalog(api).inherit('history', {
    read: { bucket: ['write', 'read'], history: ['write', 'read'] },
    write: { bucket: ['write'], history: ['write'] },
  });
  registerResource(api, {
    name: 'history',
    pluralPath: '/buckets/:bucket_id/history',
    objectPath: null,
    pluralMethods: ['GET', 'DELETE'],
    parent: 'bucket',
    permissions: ['read', 'write'],
    knownFields: HISTORY_FIELDS,
    headCounts: false,
    listedInPermissions: false,
    adjustFilters: idsAsStrings,
  });
  api.service(snapshotService(api));
}

export const historyPlugin = definePlugin({ name: '@kinto-ts/server/history', includeme });
export default historyPlugin;
