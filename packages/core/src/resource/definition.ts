// A resource declaration (Kinto's `@resource.register` viewset + Resource class,
// settings.md §4.2–§4.3): what Kinto's views and plugins (accounts, history) give to
// `registerResource` to get the generic behaviour of kinto-api.md §4–§8.
import type { FastifyRequest } from 'fastify';
import type { Cache } from '../cache/index.js';
import type { EventBus } from '../events/index.js';
import type { Identity } from '../http/context.js';
import type { Method, ServiceDefinition } from '../http/service.js';
import type { Logger } from '../logger.js';
import type { Acl, Permission } from '../permission/index.js';
import type { Settings } from '../settings/load.js';
import type { Filter, KintoObject, Storage } from '../storage/index.js';
import type { IdGenerator } from './ids.js';

/** What resources need from the application; `PluginApi` satisfies it, `resourceHost(kinto)` builds it. */
export interface ResourceHost {
  readonly settings: Settings;
  readonly log: Logger;
  readonly storage: Storage;
  readonly permission: Permission;
  readonly cache: Cache;
  readonly events: EventBus;
  service(definition: ServiceDefinition): void;
  authenticate(request: FastifyRequest): Promise<Identity>;
  challenges(): string[];
  provide(key: string, value: unknown): void;
  lookup<T>(key: string): T | undefined;
}

/** The request as a resource sees it. */
export interface ResourceContext {
  readonly definition: ResourceDefinition;
  readonly host: ResourceHost;
  readonly request: FastifyRequest;
  readonly identity: Identity;
  /** URL ids, the own id renamed `<resource>_id` (`{bucket_id, collection_id, record_id}`). */
  readonly ids: Readonly<Record<string, string>>;
  /** Storage parent id of the list (`/buckets/b1/collections/c1` for records). */
  readonly parentId: string;
  /** URI of the list (`/buckets/b1/collections/c1/records`). */
  readonly pluralUri: string;
  /** URI of an object of this list. */
  objectUri(id: string): string;
  /** An ancestor object (`collection`, `bucket`) from the URL ids; null when it does not exist. Cached per request. */
  ancestor(resourceName: string): Promise<KintoObject | null>;
}

export type WriteAction = 'create' | 'update' | 'delete';

export interface ObjectChange {
  action: WriteAction;
  /** The stored object (the tombstone for deletions). */
  new: KintoObject;
  old?: KintoObject;
}

/**
 * Runs on the final object of POST/PUT/PATCH, after the data schema and before
 * storage (JSON-schema validation plugs in here, kinto-api.md §9). Returns the
 * object to store (it may add fields such as `schema`) or throws a KintoError.
 */
export type ObjectValidator = (
  context: ResourceContext,
  object: Record<string, unknown> & { id: string },
  old: KintoObject | null,
) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

export interface ResourceDefinition {
  /** The resource name: `bucket`, `collection`, `group`, `record`, `account`, `history`. */
  name: string;
  /** List path under `/v1` with fastify params named `<resource>_id`: `/buckets/:bucket_id/collections`. */
  pluralPath: string;
  /** Object path; default `<pluralPath>/:id`. null: no object endpoint (history). */
  objectPath?: string | null;
  /** Default `GET HEAD POST DELETE` (HEAD is implied by GET). */
  pluralMethods?: Method[];
  /** Default `GET PUT PATCH DELETE`. */
  objectMethods?: Method[];
  /** Permission names an ACL of this resource may hold (`read`, `write`, `collection:create`…). */
  permissions: readonly string[];
  /** The resource whose object holds this list (collection → bucket); absent for root lists. */
  parent?: string;
  /** Storage parent id; default the parent object's URI, or `''` for root lists. */
  parentId?(ids: Readonly<Record<string, string>>): string;
  /** Id generator; default from the `<name>_id_generator` setting, else `id_generator`. */
  idGenerator?: IdGenerator;
  /** Validates and normalises request `data` (Kinto's colander schema). Throws invalidParameters. */
  validateData?(data: Record<string, unknown>, context: ResourceContext): Record<string, unknown>;
  /**
   * The parent must exist (records need their collection): 404 errno 111 otherwise.
   * `beforeAuthorization`: checked before permissions for POST (plural) and PUT/PATCH/DELETE (object) (kinto-api.md §7.6).
   */
  requireParent?: { beforeAuthorization?: boolean };
  /** Filtering/sorting on other fields is a 400 (strict schemas: history, permissions). */
  knownFields?: readonly string[];
  /** Fields a PATCH may not change (`Cannot modify <field>`). */
  readonlyFields?: readonly string[];
  /** Side effects of a write, inside the request (group memberships, cascades, kinto-api.md §8). */
  afterWrite?(context: ResourceContext, changes: ObjectChange[]): Promise<void>;
  /** Extra objects of the second cache layer (records: kinto-api.md §2.4). */
  cacheExpires?(context: ResourceContext): Promise<number | null>;
  /** Objects of this resource appear in `/permissions` (default true when there is an object endpoint). */
  listedInPermissions?: boolean;
  /**
   * The storage parent id of the request's list when it depends on who asks (accounts:
   * the username, `*` for administrators' lists). Receives the context with the default
   * parent id; may throw a KintoError (before authorization).
   */
  requestParentId?(context: ResourceContext): string;
  /** The storage parent of a stored object, when the request's parent id holds `*` (accounts: the object's own id). */
  objectParentId?(object: KintoObject): string;
  /** The principal added to `write` by creations and modifications; default the requester (kinto-api.md §7.4). */
  writerPrincipal?(context: ResourceContext): string;
  /** HEAD on the list answers `Total-Objects` (default true); false: HEAD is GET without body (history, kinto-api.md B3). */
  headCounts?: boolean;
  /** Adjusts the filters parsed from the querystring (history compares numeric-looking ids as strings). */
  adjustFilters?(filters: Filter[]): Filter[];
}

/** A resource object with its ACL, as returned by object endpoints. */
export interface AnnotatedObject {
  data: KintoObject;
  permissions: Acl;
}
