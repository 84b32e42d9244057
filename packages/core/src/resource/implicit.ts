// Implicit creations (kinto-api.md §B1): the default bucket plugin creates the
// user's bucket and collections as if they had PUT them — writer added to `write`,
// `create` event stacked — without any permission check. Existing objects are left
// untouched and emit nothing.
import type { FastifyRequest } from 'fastify';
import { EVERYONE } from '../authentication/multiauth.js';
import { invalidParameter } from '../errors.js';
import type { Identity } from '../http/context.js';
import { UnicityError, type KintoObject } from '../storage/index.js';
import { resourceCatalog } from './catalog.js';
import { parentIdOf } from './context.js';
import type { ResourceHost } from './definition.js';
import { notifyResourceEvent } from './events.js';

export async function createObjectIfMissing(
  host: ResourceHost,
  request: FastifyRequest,
  identity: Identity,
  resourceName: string,
  ids: Readonly<Record<string, string>>,
): Promise<KintoObject> {
  const catalog = resourceCatalog(host);
  const definition = catalog.get(resourceName);
  const generator = catalog.idGenerators.get(resourceName);
  const id = ids[`${resourceName}_id`];
  if (!definition || !generator || id === undefined) throw new Error(`cannot create a '${resourceName}' implicitly`);
  if (!generator.regexp.test(id)) throw invalidParameter('path', null, `Invalid ${resourceName} id`);
  const parentId = parentIdOf(catalog, definition, ids);
  const uri = catalog.objectUri(resourceName, ids)!;
  let created: KintoObject;
  try {
    created = await host.storage.create(resourceName, parentId, { id });
  } catch (error) {
    if (error instanceof UnicityError) return error.existing;
    throw error;
  }
  if (host.settings.core.explicit_permissions) {
    await host.permission.addPrincipalToAce(uri, 'write', identity.userId ?? EVERYONE);
  }
  notifyResourceEvent(request, {
    resourceName,
    parentId,
    action: 'create',
    timestamp: await host.storage.resourceTimestamp(resourceName, parentId),
    ids,
    uri,
    userId: identity.userId,
    impacted: [{ new: created }],
  });
  return created;
}
