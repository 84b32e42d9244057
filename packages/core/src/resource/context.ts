// Builds the ResourceContext of a request: URL ids, storage parent, URIs, and the
// ancestors (bucket, collection) loaded at most once per request.
import type { FastifyRequest } from 'fastify';
import { missingParent } from '../errors.js';
import { ObjectNotFoundError, type KintoObject } from '../storage/index.js';
import { resourceCatalog as resourceCatalogOf, type ResourceCatalog } from './catalog.js';
import type { ResourceContext, ResourceDefinition, ResourceHost } from './definition.js';
import type { IdGenerator } from './ids.js';

export interface RegisteredResource {
  definition: ResourceDefinition;
  catalog: ResourceCatalog;
  host: ResourceHost;
  idGenerator: IdGenerator;
}

/** The storage parent id of a list from URL ids. */
export function parentIdOf(catalog: ResourceCatalog, definition: ResourceDefinition, ids: Readonly<Record<string, string>>): string {
  if (definition.parentId) return definition.parentId(ids);
  if (!definition.parent) return '';
  return catalog.objectUri(definition.parent, ids) ?? '';
}

export interface RequestResource extends ResourceContext {
  /** The own id on object endpoints. */
  readonly objectId: string | undefined;
  /** True when a parent id in the URL cannot be a valid id (it can never exist). */
  readonly invalidParent: boolean;
  readonly registered: RegisteredResource;
}

function validIdFor(catalog: ResourceCatalog, resourceName: string, id: string, generators: Map<string, IdGenerator>): boolean {
  const generator = generators.get(resourceName);
  if (generator) return generator.regexp.test(id);
  // Ids are at least never empty, wildcards or paths.
  return id !== '' && !/[*/]/.test(id) && catalog.get(resourceName) !== undefined;
}

export function buildContext(
  registered: RegisteredResource,
  request: FastifyRequest,
  identity: ResourceContext['identity'],
  generators: Map<string, IdGenerator>,
  urlParams?: Record<string, string>,
): RequestResource {
  const { definition, catalog, host } = registered;
  const params = { ...(urlParams ?? (request.params as Record<string, string>)) };
  const objectId = params.id;
  delete params.id;
  let invalidParent = false;
  for (const [param, value] of Object.entries(params)) {
    const owner = param.endsWith('_id') ? param.slice(0, -3) : param;
    if (!validIdFor(catalog, owner, value, generators)) invalidParent = true;
  }
  const ids: Record<string, string> = { ...params };
  if (objectId !== undefined) ids[`${definition.name}_id`] = objectId;
  const parentId = parentIdOf(catalog, definition, ids);
  const pluralUri = catalog.pluralUri(definition.name, ids) ?? '';
  const ancestors = new Map<string, Promise<KintoObject | null>>();

  const ancestor = (resourceName: string): Promise<KintoObject | null> => {
    let found = ancestors.get(resourceName);
    if (!found) {
      found = (async () => {
        if (invalidParent) return null;
        const ancestorDefinition = catalog.get(resourceName);
        const id = ids[`${resourceName}_id`];
        if (!ancestorDefinition || id === undefined) return null;
        try {
          return await host.storage.get(resourceName, parentIdOf(catalog, ancestorDefinition, ids), id);
        } catch (error) {
          if (error instanceof ObjectNotFoundError) return null;
          throw error;
        }
      })();
      ancestors.set(resourceName, found);
    }
    return found;
  };

  return {
    definition,
    host,
    request,
    identity,
    ids,
    parentId,
    pluralUri,
    objectId,
    invalidParent,
    registered,
    objectUri: (id) => `${pluralUri}/${id}`,
    ancestor,
  };
}

/**
 * The context of an object given by resource name and ids, outside of its own
 * endpoints (`/__user_data__` deletes objects of every kind this way).
 */
export function contextFor(
  host: ResourceHost,
  request: FastifyRequest,
  identity: ResourceContext['identity'],
  resourceName: string,
  ids: Readonly<Record<string, string>>,
): RequestResource {
  const catalog = resourceCatalogOf(host);
  const definition = catalog.get(resourceName);
  const idGenerator = catalog.idGenerators.get(resourceName);
  if (!definition || !idGenerator) throw new Error(`unknown resource '${resourceName}'`);
  const params: Record<string, string> = { ...ids };
  const own = `${resourceName}_id`;
  if (own in params) {
    params.id = params[own]!;
    delete params[own];
  }
  return buildContext({ definition, catalog, host, idGenerator }, request, identity, catalog.idGenerators, params);
}

/**
 * 404 errno 111 when the parent object does not exist (kinto-api.md §7.6). Only the
 * direct parent is read: cascades guarantee that a missing bucket has no collections.
 */
export async function requireParent(context: RequestResource): Promise<void> {
  const parent = context.definition.parent;
  if (parent && (await context.ancestor(parent)) === null) {
    throw missingParent(context.ids[`${parent}_id`] ?? '', parent);
  }
}
