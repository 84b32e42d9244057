// Plural endpoints (kinto-api.md §4.1–§4.4, §6): GET/HEAD with filters, sorting,
// pagination and `_fields`; POST (create, or 200 with the existing object); DELETE
// of the matching objects, page by page.
import type { FastifyReply } from 'fastify';
import { COMPARISON, type Filter, type KintoObject } from '../storage/index.js';
import { authorizeCreate, authorizeList, authorizeObject } from './access.js';
import { isPlainObject, parseEnvelope } from './body.js';
import { applyCacheHeaders } from './cache-headers.js';
import { requireParent, type RequestResource } from './context.js';
import { notifyResourceEvent, readsObserved } from './events.js';
import { annotate, fetchObject, invalidId } from './object.js';
import { buildToken, nextPageUrl, paginationRules, readToken, snapshotTimestamp } from './pagination.js';
import { checkPreconditions, notModified, setTimestampHeaders } from './preconditions.js';
import { parseFields, parseFilters, parseLimit, parseSorting, projectFields, type QueryOptions } from './query.js';
import { keepPage, keptPage, pageKey } from './page-cache.js';
import { parseRawQuery, rawQueryString, type RawQuery } from './querystring.js';
import { serializeJson } from '../http/json.js';
import { isSecretParam } from '../logging.js';
import { runValidators, saveObject, deleteObjects } from './write.js';

const TO_DEPRECATION = {
  code: 'soft-eol',
  message: '_to is now deprecated, you should use _before instead',
  url: 'https://kinto.readthedocs.io/en/2.4.0/api/resource.html#list-of-available-url-parameters',
};

function queryOptions(context: RequestResource): QueryOptions {
  return { knownFields: context.definition.knownFields };
}

/** The filters of the request, restricted to the shared objects when the whole list is not allowed. */
function listFilters(context: RequestResource, query: RawQuery, shared: string[] | null): Filter[] {
  const { filters, deprecatedTo } = parseFilters(query, queryOptions(context));
  if (deprecatedTo) context.request.kinto.alert = TO_DEPRECATION;
  if (shared !== null) filters.unshift({ field: 'id', operator: COMPARISON.IN, value: shared });
  return context.definition.adjustFilters ? context.definition.adjustFilters(filters) : filters;
}

/** Beyond this many shared ids, a page is not kept (the key would outweigh the page). */
const MAX_SHARED_KEY = 100;

async function listChecks(context: RequestResource, permission: 'read' | 'write'): Promise<string[] | null> {
  const shared = await authorizeList(context, permission);
  if (context.invalidParent || context.definition.requireParent) await requireParent(context);
  return shared;
}

export async function getList(context: RequestResource, reply: FastifyReply, head: boolean) {
  const shared = await listChecks(context, 'read');
  const { storage, settings } = context.host;
  const name = context.definition.name;
  const query = parseRawQuery(context.request);
  const timestamp = await storage.resourceTimestamp(name, context.parentId);
  const snapshot = head ? undefined : snapshotTimestamp(query);
  setTimestampHeaders(reply, snapshot ?? timestamp);
  await applyCacheHeaders(context, reply);
  if (notModified(context.request, { existing: 'list', current: timestamp })) return reply.code(304).send();
  checkPreconditions(context.request, { existing: 'list', current: timestamp });
  // A kept page: same storage generation, URL, query and visible objects (page-cache.ts).
  const observed = readsObserved(context.host.events);
  const cacheKey =
    // `_token` and other secret-named parameters (they would sit in clear in the key) are never kept.
    head || observed || (shared !== null && shared.length > MAX_SHARED_KEY) || [...query.keys()].some(isSecretParam)
      ? undefined
      : pageKey(storage, `${name}\n${context.parentId}\n${context.pluralUri}`, rawQueryString(context.request), shared);
  const kept = cacheKey === undefined ? undefined : keptPage(storage, cacheKey);
  if (kept) {
    context.request.kinto.keepable = true;
    if (kept.alert) context.request.kinto.alert = kept.alert;
    if (snapshot === undefined && kept.seen > timestamp) setTimestampHeaders(reply, kept.seen);
    return reply.type('application/json').send(kept.body);
  }
  const filters = listFilters(context, query, shared);
  if (head) {
    const total = await storage.countAll(name, context.parentId, filters);
    reply.header('total-objects', String(total)).header('total-records', String(total));
    return reply.send();
  }
  const limit = parseLimit(query, settings);
  const sorting = parseSorting(query, queryOptions(context));
  const fields = parseFields(query, queryOptions(context));
  const token = await readToken(query, 'GET', context.host.cache);
  const objects = await storage.listAll(name, context.parentId, {
    filters,
    sorting,
    limit: limit + 1,
    paginationRules: token ? paginationRules(sorting, token.last_object) : undefined,
    includeDeleted: filters.some((f) => f.field === 'last_modified'),
  });
  const page = objects.slice(0, limit);
  // A write may land between reading the list timestamp and listing: the listing wins.
  let seen = timestamp;
  for (const o of objects) if (o.last_modified > seen) seen = o.last_modified;
  if (snapshot === undefined && seen > timestamp) setTimestampHeaders(reply, seen);
  const hasNext = objects.length > limit;
  if (hasNext) {
    const offset = (token?.offset ?? 0) + page.length;
    const next = await buildToken(sorting, page[page.length - 1]!, offset, 'GET', context.host.cache, settings, snapshot ?? seen);
    reply.header('next-page', nextPageUrl(context.request, settings, limit, next));
  }
  if (observed) {
    notifyResourceEvent(context.request, {
      resourceName: name,
      parentId: context.parentId,
      action: 'read',
      timestamp,
      ids: context.ids,
      userId: context.identity.userId,
      read: page,
    });
  }
  const payload = { data: fields ? page.map((o) => projectFields(o, fields)) : page };
  // Pages with a Next-Page are not kept: their pagination token is single-use.
  if (cacheKey === undefined || hasNext) return payload;
  const body = Buffer.from(serializeJson(payload));
  keepPage(storage, cacheKey, { body, seen, alert: context.request.kinto.alert === TO_DEPRECATION ? TO_DEPRECATION : undefined });
  context.request.kinto.keepable = true;
  return reply.type('application/json').send(body);
}

export async function postList(context: RequestResource, reply: FastifyReply) {
  if (context.definition.requireParent?.beforeAuthorization) await requireParent(context);
  const body = context.request.body;
  // An invalid `data.id` is refused before authorization (kinto-api.md §4).
  const posted = isPlainObject(body) && isPlainObject(body.data) ? body.data.id : undefined;
  if (posted !== undefined && (typeof posted !== 'string' || !context.registered.idGenerator.regexp.test(posted))) throw invalidId();
  const existing = typeof posted === 'string' ? await fetchObject(context, posted) : null;
  if (existing) await authorizeObject(context, 'read', existing.id);
  else await authorizeCreate(context);
  await requireParent(context);
  const listTimestamp = existing ? existing.last_modified : await context.host.storage.resourceTimestamp(context.definition.name, context.parentId);
  checkPreconditions(context.request, { existing, current: listTimestamp });
  const envelope = parseEnvelope(body, context.definition.permissions);
  if (existing) {
    setTimestampHeaders(reply, existing.last_modified);
    return annotate(context, existing);
  }
  const id = typeof posted === 'string' ? posted : context.registered.idGenerator.generate();
  const given = envelope.data ?? {};
  const data = context.definition.validateData ? context.definition.validateData(given, context) : given;
  const object = await runValidators(context, { ...data, id }, null);
  const saved = await saveObject(context, object, null, { permissions: envelope.permissions, replace: true });
  reply.code(201);
  setTimestampHeaders(reply, saved.object.last_modified);
  return annotate(context, saved.object, saved.acl);
}

export async function deleteList(context: RequestResource, reply: FastifyReply) {
  const shared = await listChecks(context, 'write');
  const { storage, settings } = context.host;
  const name = context.definition.name;
  const query = parseRawQuery(context.request);
  const timestamp = await storage.resourceTimestamp(name, context.parentId);
  checkPreconditions(context.request, { existing: 'list', current: timestamp });
  const filters = listFilters(context, query, shared);
  const limit = parseLimit(query, settings);
  const sorting = parseSorting(query, queryOptions(context));
  const token = await readToken(query, 'DELETE', context.host.cache);
  const objects: KintoObject[] = await storage.listAll(name, context.parentId, {
    filters,
    sorting,
    limit: limit + 1,
    paginationRules: token ? paginationRules(sorting, token.last_object) : undefined,
  });
  const doomed = objects.slice(0, limit);
  const tombstones = await deleteObjects(context, doomed);
  if (tombstones.length > 0) {
    if (objects.length > limit) {
      const next = await buildToken(sorting, doomed[doomed.length - 1]!, (token?.offset ?? 0) + doomed.length, 'DELETE', context.host.cache, settings);
      reply.header('next-page', nextPageUrl(context.request, settings, limit, next));
    }
    setTimestampHeaders(reply, Math.max(...tombstones.map((t) => t.last_modified)));
  } else {
    setTimestampHeaders(reply, timestamp);
  }
  return { data: tombstones };
}
