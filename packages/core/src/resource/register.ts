// `registerResource`: a resource definition becomes its plural and object services
// (`<name>-plural`, `<name>-object`, settings.md §4.3), honouring the
// `{plural|object}_<name>_<method>_enabled` switches and read-only mode.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KintoApp } from '../app.js';
import type { Method, ServiceHandler } from '../http/service.js';
import { WRITE_METHODS } from '../http/service.js';
import { pluginApi } from '../plugins/host.js';
import { asBool } from '../settings/values.js';
import { resourceCatalog } from './catalog.js';
import { buildContext, type RegisteredResource, type RequestResource } from './context.js';
import type { ResourceDefinition, ResourceHost } from './definition.js';
import { withResourceEvents } from './events.js';
import { idGeneratorByName, type IdGenerator } from './ids.js';
import { deleteObject, getObject, patchObject, putObject } from './object.js';
import { PATCH_CONTENT_TYPES } from './patch.js';
import { deleteList, getList, postList } from './plural.js';

const LIST_HEADERS = ['Next-Page', 'Last-Modified', 'ETag', 'Cache-Control', 'Expires', 'Pragma'];
const OBJECT_HEADERS = ['Last-Modified', 'ETag', 'Cache-Control', 'Expires', 'Pragma'];

/** The host of a Kinto application: its PluginApi (which satisfies ResourceHost). */
export function resourceHost(kinto: KintoApp): ResourceHost {
  return pluginApi(kinto);
}

function idGeneratorOf(host: ResourceHost, definition: ResourceDefinition): IdGenerator {
  if (definition.idGenerator) return definition.idGenerator;
  const own = host.settings.get(`${definition.name}_id_generator`);
  if (typeof own === 'string' && own !== '') return idGeneratorByName(own, `${definition.name}_id_generator`);
  return idGeneratorByName(String(host.settings.get('id_generator') ?? 'uuid4'), 'id_generator');
}

function enabled(host: ResourceHost, type: 'plural' | 'object', name: string, method: Method): boolean {
  const value = host.settings.get(`${type}_${name}_${method.toLowerCase()}_enabled`);
  return value === undefined || value === null || value === '' ? true : asBool(value);
}

type Operation = (context: RequestResource, reply: FastifyReply) => Promise<unknown>;

/** Declares a resource: its services, id generator and `*_principals` settings (environment overrides apply). */
export function registerResource(host: ResourceHost, definition: ResourceDefinition): RegisteredResource {
  const catalog = resourceCatalog(host);
  const idGenerator = idGeneratorOf(host, definition);
  catalog.add(definition);
  catalog.idGenerators.set(definition.name, idGenerator);
  const registered: RegisteredResource = { definition, catalog, host, idGenerator };
  const principals: Record<string, string> = {};
  for (const p of ['read', 'write', 'create']) principals[`${definition.name}_${p}_principals`] = '';
  host.settings.setDefaults(principals);

  const handle =
    (operation: Operation): ServiceHandler =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const identity = await host.authenticate(request);
      const built = buildContext(registered, request, identity, catalog.idGenerators);
      const context = definition.requestParentId ? { ...built, parentId: definition.requestParentId(built) } : built;
      return withResourceEvents(host, request, WRITE_METHODS.has(request.method), () => operation(context, reply));
    };

  const plural: Partial<Record<Method, ServiceHandler>> = {};
  const pluralOperations: Partial<Record<Method, Operation>> = {
    HEAD: (c, r) => getList(c, r, true),
    GET: (c, r) => getList(c, r, false),
    POST: postList,
    DELETE: deleteList,
  };
  const pluralMethods = definition.pluralMethods ?? ['GET', 'POST', 'DELETE'];
  for (const method of ['HEAD', ...pluralMethods] as Method[]) {
    const operation = pluralOperations[method];
    const wanted = method === 'HEAD' ? pluralMethods.includes('GET') && definition.headCounts !== false : true;
    if (operation && wanted && enabled(host, 'plural', definition.name, method === 'HEAD' ? 'GET' : method)) plural[method] = handle(operation);
  }
  host.service({
    name: `${definition.name}-plural`,
    path: definition.pluralPath,
    methods: plural,
    checkAccept: true,
    exposeHeaders: { GET: LIST_HEADERS, HEAD: [...LIST_HEADERS, 'Total-Objects', 'Total-Records'] },
  });

  const objectPath = definition.objectPath === undefined ? `${definition.pluralPath}/:id` : definition.objectPath;
  if (objectPath !== null) {
    const objectOperations: Partial<Record<Method, Operation>> = {
      GET: getObject,
      PUT: putObject,
      PATCH: patchObject,
      DELETE: deleteObject,
    };
    const object: Partial<Record<Method, ServiceHandler>> = {};
    for (const method of definition.objectMethods ?? ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const operation = objectOperations[method];
      if (operation && enabled(host, 'object', definition.name, method)) object[method] = handle(operation);
    }
    host.service({
      name: `${definition.name}-object`,
      path: objectPath,
      methods: object,
      checkAccept: true,
      contentTypes: { PATCH: PATCH_CONTENT_TYPES },
      exposeHeaders: { GET: OBJECT_HEADERS, HEAD: OBJECT_HEADERS },
    });
  }
  return registered;
}
