// `GET /v1/permissions` (kinto-api.md §10.6): every object on which the requester
// holds a permission — directly in the backend or through `*_principals` settings —
// with the permissions implied on that same object. Filters, sort, pages, HEAD counts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  buildToken,
  checkPreconditions,
  denied,
  impliedPermissions,
  matchAll,
  nextPageUrl,
  paginationRules,
  parseFields,
  parseFilters,
  parseLimit,
  parseRawQuery,
  parseSorting,
  projectFields,
  readToken,
  resourceCatalog,
  setTimestampHeaders,
  settingPrincipals,
  sortObjects,
  type KintoObject,
  type ResourceCatalog,
  type ResourceHost,
} from '@kinto-ts/core';

type Entry = Record<string, unknown> & { uri: string };

/** Kinto's `allowed_from_settings`: `{resource: perms}` granted by `<resource>_<perm>_principals`; creations land on the parent. */
function allowedFromSettings(host: ResourceHost, catalog: ResourceCatalog, principals: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const key of host.settings.keys()) {
    const parts = key.split('_');
    if (parts.length !== 3 || parts[2] !== 'principals') continue;
    let [resource, permission] = parts as [string, string];
    const definition = catalog.get(resource);
    if (!definition) continue;
    if (!settingPrincipals(host.settings, key).some((p) => principals.includes(p))) continue;
    if (permission === 'create') {
      permission = `${resource}:create`;
      resource = definition.parent ?? '';
    }
    let set = out.get(resource);
    if (!set) out.set(resource, (set = new Set()));
    set.add(permission);
  }
  return out;
}

async function listEntries(host: ResourceHost, principals: readonly string[]): Promise<Entry[]> {
  const catalog = resourceCatalog(host);
  const byUri = new Map<string, Set<string>>();
  const add = (uri: string, perms: Iterable<string>) => {
    let set = byUri.get(uri);
    if (!set) byUri.set(uri, (set = new Set()));
    for (const p of perms) set.add(p);
  };
  for (const [uri, perms] of Object.entries(await host.permission.getAccessibleObjects([...principals]))) add(uri, perms);

  const fromSettings = allowedFromSettings(host, catalog, principals);
  if (fromSettings.has('')) add('/', fromSettings.get('')!);
  // Settings grants apply to every existing bucket, collection and group (not records).
  const expanded = ['bucket', 'collection', 'group'].filter((r) => fromSettings.has(r));
  if (expanded.length > 0) {
    for (const bucket of await host.storage.listAll('bucket', '')) {
      const bucketUri = `/buckets/${bucket.id}`;
      for (const resource of expanded) {
        if (resource === 'bucket') {
          add(bucketUri, fromSettings.get('bucket')!);
          continue;
        }
        for (const child of await host.storage.listAll(resource, bucketUri)) {
          add(`${bucketUri}/${resource}s/${child.id}`, fromSettings.get(resource)!);
        }
      }
    }
  }

  const entries: Entry[] = [];
  for (const [uri, perms] of byUri) {
    if (uri === '/') {
      entries.push({ uri, resource_name: 'root', permissions: [...perms].sort() });
      continue;
    }
    const match = catalog.match(uri);
    const definition = match && catalog.get(match.name);
    if (!match || !definition || definition.listedInPermissions === false) continue;
    const all = new Set<string>();
    for (const p of perms) for (const implied of impliedPermissions(catalog, match.name, p)) all.add(implied);
    entries.push({ uri, resource_name: match.name, permissions: [...all].sort(), id: match.ids[`${match.name}_id`], ...match.ids });
  }
  return entries;
}

export function registerPermissionsEndpoint(host: ResourceHost): void {
  const catalog = resourceCatalog(host);
  const knownFields = () => ['uri', 'resource_name', 'permissions', 'id', ...catalog.all().map((d) => `${d.name}_id`)];

  const handler = (head: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const identity = await host.authenticate(request);
    const readers = settingPrincipals(host.settings, 'permissions_read_principals');
    if (!readers.some((p) => identity.principals.includes(p))) throw denied(identity, host.challenges());
    const options = { knownFields: knownFields(), tieBreaker: 'uri' };
    const query = parseRawQuery(request);
    // Entries have no timestamps: the ETag is the (fixed) one of an empty list, preconditions compare with 0.
    setTimestampHeaders(reply, await host.storage.resourceTimestamp('__permissions__', ''));
    reply.header('cache-control', 'no-cache, no-store');
    checkPreconditions(request, { existing: 'list', current: 0 });
    const { filters } = parseFilters(query, options);
    const entries = (await listEntries(host, identity.principals)).filter((e) => matchAll(e, filters));
    if (head) {
      reply.header('total-objects', String(entries.length)).header('total-records', String(entries.length));
      return reply.send();
    }
    const sorting = parseSorting(query, options);
    const limit = parseLimit(query, host.settings);
    const fields = parseFields(query, options);
    const token = await readToken(query, 'GET', host.cache);
    const rules = token ? paginationRules(sorting, token.last_object) : [];
    const sorted = sortObjects(entries as unknown as KintoObject[], sorting).filter(
      (e) => rules.length === 0 || rules.some((rule) => matchAll(e, rule)),
    );
    const page = sorted.slice(0, limit);
    if (sorted.length > limit) {
      const next = await buildToken(sorting, page[page.length - 1]!, (token?.offset ?? 0) + page.length, 'GET', host.cache, host.settings);
      reply.header('next-page', nextPageUrl(request, host.settings, limit, next));
    }
    return { data: fields ? page.map((e) => projectFields(e, fields)) : page };
  };

  host.service({
    name: 'permissions',
    path: '/permissions',
    methods: { GET: handler(false), HEAD: handler(true) },
    checkAccept: true,
    exposeHeaders: {
      GET: ['Next-Page', 'Last-Modified', 'ETag', 'Cache-Control', 'Expires', 'Pragma'],
      HEAD: ['Next-Page', 'Last-Modified', 'ETag', 'Cache-Control', 'Expires', 'Pragma', 'Total-Objects', 'Total-Records'],
    },
  });
}
