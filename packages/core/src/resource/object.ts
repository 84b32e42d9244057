// Object endpoints (kinto-api.md §4.5–§4.8): GET, PUT, PATCH, DELETE of one object.
// Order: parent check (records' writes), authorization, id, preconditions, body, operation.
import type { FastifyReply } from 'fastify';
import { invalidParameter, invalidParameters, KintoError, ERRORS, objectNotFound } from '../errors.js';
import { ObjectNotFoundError, type KintoObject } from '../storage/index.js';
import { authorizeCreate, authorizeObject, authorizeParentRead, canSeePermissions } from './access.js';
import { parseEnvelope } from './body.js';
import { applyCacheHeaders } from './cache-headers.js';
import { requireParent, type RequestResource } from './context.js';
import { notifyResourceEvent, readsObserved } from './events.js';
import { patchDialect } from './patch.js';
import { checkPreconditions, notModified, setTimestampHeaders } from './preconditions.js';
import { integerParam, parseFields, projectFields } from './query.js';
import { parseRawQuery, single } from './querystring.js';
import { deleteObjects, runValidators, saveObject } from './write.js';

export function invalidId(): KintoError {
  return invalidParameter('path', null, 'Invalid object id');
}

export async function fetchObject(context: RequestResource, id: string): Promise<KintoObject | null> {
  try {
    return await context.host.storage.get(context.definition.name, context.parentId, id);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return null;
    throw error;
  }
}

/** `{data, permissions}`; the ACL is disclosed to direct writers only (kinto-api.md §2.2). */
export async function annotate(context: RequestResource, object: KintoObject, acl?: Record<string, string[]>) {
  const permissions = acl ?? (await context.host.permission.getObjectPermissions(context.objectUri(object.id)));
  return { data: object, permissions: canSeePermissions(context, permissions.write) ? permissions : {} };
}

function objectId(context: RequestResource): string {
  return context.objectId ?? '';
}

function checkId(context: RequestResource): void {
  if (!context.registered.idGenerator.regexp.test(objectId(context))) throw invalidId();
}

async function parentFirst(context: RequestResource): Promise<void> {
  if (context.definition.requireParent?.beforeAuthorization) await requireParent(context);
}

async function notFound(context: RequestResource): Promise<never> {
  if (context.definition.requireParent || context.invalidParent) await requireParent(context);
  throw objectNotFound(objectId(context), context.definition.name);
}

export async function getObject(context: RequestResource, reply: FastifyReply) {
  const id = objectId(context);
  const existing = await fetchObject(context, id);
  await authorizeObject(context, 'read', id);
  checkId(context);
  if (!existing) return notFound(context);
  setTimestampHeaders(reply, existing.last_modified);
  await applyCacheHeaders(context, reply);
  const target = { existing, current: existing.last_modified };
  if (notModified(context.request, target)) return reply.code(304).send();
  checkPreconditions(context.request, target);
  const fields = parseFields(parseRawQuery(context.request), { knownFields: context.definition.knownFields });
  notifyRead(context, [existing]);
  if (fields) return { data: projectFields(existing, fields) };
  return annotate(context, existing);
}

function notifyRead(context: RequestResource, objects: KintoObject[]): void {
  if (!readsObserved(context.host.events)) return;
  notifyResourceEvent(context.request, {
    resourceName: context.definition.name,
    parentId: context.parentId,
    action: 'read',
    timestamp: objects[0]?.last_modified ?? 0,
    ids: context.ids,
    userId: context.identity.userId,
    read: objects,
  });
}

export async function putObject(context: RequestResource, reply: FastifyReply) {
  await parentFirst(context);
  const id = objectId(context);
  const existing = await fetchObject(context, id);
  if (!existing || context.request.headers['if-none-match'] === '*') await authorizeCreate(context);
  else await authorizeObject(context, 'write', id);
  checkId(context);
  await requireParent(context);
  const current = existing?.last_modified ?? (await context.host.storage.resourceTimestamp(context.definition.name, context.parentId));
  checkPreconditions(context.request, { existing, current });
  const envelope = parseEnvelope(context.request.body, context.definition.permissions);
  let data: Record<string, unknown>;
  if (envelope.data !== undefined) {
    if (envelope.data.id !== undefined && envelope.data.id !== id) throw idMismatch();
    data = context.definition.validateData ? context.definition.validateData(envelope.data, context) : envelope.data;
  } else {
    data = existing ? { ...existing } : {};
  }
  const object = await runValidators(context, { ...data, id }, existing);
  const saved = await saveObject(context, object, existing, { permissions: envelope.permissions, replace: true });
  if (!existing) reply.code(201);
  setTimestampHeaders(reply, saved.object.last_modified);
  return annotate(context, saved.object, saved.acl);
}

function idMismatch(): KintoError {
  return invalidParameters([{ location: 'body', name: 'id', description: 'Object id does not match existing object' }]);
}

const RESPONSE_BEHAVIORS = ['full', 'light', 'diff'];

/**
 * PATCH and DELETE: write on an existing object; on a missing one, read on the parent
 * is enough to learn it is missing (404), else 403/401 (kinto-api.md §7.6).
 */
async function existingForWrite(context: RequestResource) {
  await parentFirst(context);
  const id = objectId(context);
  const existing = await fetchObject(context, id);
  if (existing) await authorizeObject(context, 'write', id);
  else await authorizeParentRead(context);
  checkId(context);
  return { id, existing };
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function patchObject(context: RequestResource, reply: FastifyReply) {
  const { id, existing } = await existingForWrite(context);
  const behaviorHeader = context.request.headers['response-behavior'];
  const behavior = Array.isArray(behaviorHeader) ? behaviorHeader.join(', ') : (behaviorHeader ?? 'full');
  if (!RESPONSE_BEHAVIORS.includes(behavior)) {
    throw invalidParameter('header', 'Response-Behavior', `"${behavior}" is not one of full, light, diff`);
  }
  if (!existing) return notFound(context);
  checkPreconditions(context.request, { existing, current: existing.last_modified });
  const dialect = patchDialect(context.request.headers['content-type']);
  if (!dialect) {
    throw new KintoError(415, { errno: ERRORS.INVALID_PARAMETERS, error: 'Invalid parameters', message: 'This PATCH dialect is not supported.' });
  }
  const uri = context.objectUri(id);
  const acl = await context.host.permission.getObjectPermissions(uri);
  const result = await dialect({ existing, acl, body: context.request.body, permissions: context.definition.permissions });
  if (result.data.id !== undefined && result.data.id !== id) throw idMismatch();
  for (const field of context.definition.readonlyFields ?? []) {
    if (field in result.changes && !jsonEqual(existing[field], result.changes[field])) {
      throw invalidParameter('body', field, `Cannot modify ${field}`);
    }
  }
  const { id: _id, last_modified: lastModified, ...rest } = result.data;
  let data: Record<string, unknown> = context.definition.validateData ? context.definition.validateData(rest, context) : rest;
  if (lastModified !== undefined) data = { ...data, last_modified: lastModified };
  const object = await runValidators(context, { ...data, id }, existing);
  const saved = await saveObject(context, object, existing, { permissions: result.permissions, replace: result.replacePermissions });
  setTimestampHeaders(reply, saved.object.last_modified);
  if (behavior === 'full') return annotate(context, saved.object, saved.acl);
  const changed: Record<string, unknown> = {};
  for (const [key, sent] of Object.entries(result.changes)) {
    if (!(key in saved.object)) continue;
    if (behavior === 'diff' && jsonEqual(sent, saved.object[key])) continue;
    changed[key] = saved.object[key];
  }
  return { data: changed };
}

export async function deleteObject(context: RequestResource, reply: FastifyReply) {
  const { id, existing } = await existingForWrite(context);
  if (!existing) return notFound(context);
  checkPreconditions(context.request, { existing, current: existing.last_modified });
  const raw = single(parseRawQuery(context.request), 'last_modified');
  const requested = raw === undefined ? null : integerParam('last_modified', raw);
  const lastModified = requested !== null && requested > existing.last_modified ? requested : undefined;
  const [tombstone] = await deleteObjects(context, [existing], lastModified);
  if (!tombstone) throw objectNotFound(id, context.definition.name);
  setTimestampHeaders(reply, tombstone.last_modified);
  return { data: tombstone };
}
