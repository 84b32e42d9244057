// The public API of @kinto-ts/core.
export { createKinto, CORE_VERSION, type CreateKintoOptions, type KintoApp } from './app.js';
export {
  createBackends,
  registerCacheBackend,
  registerPermissionBackend,
  registerStorageBackend,
  type BackendContext,
  type Backends,
} from './backends.js';
export { AUTHENTICATED, EVERYONE, MultiAuth, type ConfiguredPolicy } from './authentication/multiauth.js';
export { basicAuthPolicy, hmacDigest, parseBasicAuth, type BasicCredentials } from './authentication/basicauth.js';
export type { AuthResult, AuthenticationPolicy, PolicyContext, PolicyFactory } from './authentication/policy.js';
export type { Cache } from './cache/index.js';
export { MemoryCache } from './cache/memory.js';
export * from './errors.js';
export {
  EventBus,
  type EventPayload,
  type ImpactedObject,
  type KintoEvent,
  type KintoEventType,
  type ResourceAction,
  type ResourceChangedEvent,
  type ResourceReadEvent,
  type ServerFlushedEvent,
  type SubscriptionFilter,
} from './events/index.js';
export { bindSubrequests, type Identity, type RequestContext } from './http/context.js';
export { allowedOrigin, globMatch } from './http/cors.js';
export { baseUrl, rootUrl, sendError, toKintoError } from './http/hooks.js';
export { parseJsonBody, serializeJson } from './http/json.js';
export { acceptsJson, registerService, METHODS, WRITE_METHODS, type Method, type ServiceDefinition, type ServiceHandler } from './http/service.js';
export type { Logger } from './logger.js';
export { redactQuery } from './logging.js';
export type { Acl, Permission } from './permission/index.js';
export { MemoryPermission } from './permission/memory.js';
export { definePlugin, type KintoPlugin, type PluginApi, type PluginModule } from './plugins/api.js';
export { loadPlugin, type LoaderOptions, type PluginSource } from './plugins/loader.js';
export { Registry, type Capability, type HeartbeatCheck, type UserInfoContributor } from './registry.js';
export { CORE_SETTINGS, type CoreSettings } from './settings/core-settings.js';
export { parseIni, interpolate } from './settings/ini.js';
export { loadSettingsFromIni, readIniFile, Settings, type LoadOptions, type SettingsSource } from './settings/load.js';
export { validateSettings, type SettingSpec, type SettingsSpec } from './settings/schema.js';
export { asBool, asList, envName, nativeValue } from './settings/values.js';
export {
  COMPARISON,
  ObjectNotFoundError,
  UnicityError,
  type Comparison,
  type DeleteAllOptions,
  type Filter,
  type KintoObject,
  type ListOptions,
  type PurgeOptions,
  type Sort,
  type Storage,
  type Tombstone,
} from './storage/index.js';
export { MemoryStorage } from './storage/memory.js';
// PostgreSQL and Redis backends are selected by name (backends.ts) and loaded on first use: types only here.
export type { PostgreSQLStorage, PostgreSQLStorageOptions } from './storage/postgresql/index.js';
export type { PostgreSQLPermission } from './permission/postgresql/index.js';
export type { PostgreSQLCache, PostgreSQLCacheOptions } from './cache/postgresql.js';
export type { RedisCache, RedisCacheOptions } from './cache/redis.js';
export { isMigratable, type Migratable, type MigrateOptions } from './storage/postgresql/migrator.js';
export type { PostgresOptions } from './storage/postgresql/client.js';
export { compareValues, getField, jsonEqual, matchAll, matchFilter, sortObjects } from './storage/query.js';
export { runCheck } from './views/heartbeat.js';
export { runInTransaction, type Transactional } from './transaction.js';
// Resources and authorization (kinto-api.md §4–§8).
export { boundPermissions, impliedPermissions, type BoundPermission, type PermissionTarget } from './authorization/inheritance.js';
export { denied, isGranted, principalsSetting, settingPrincipals, sharedObjectIds, type PermissionCheck } from './authorization/policy.js';
export { fieldErrors, isPlainObject, parseEnvelope, parsePermissions, pyRepr, pyStr, type Envelope } from './resource/body.js';
export { ResourceCatalog, resourceCatalog, type InheritanceTree } from './resource/catalog.js';
export { contextFor, parentIdOf, requireParent, type RegisteredResource, type RequestResource } from './resource/context.js';
export type {
  AnnotatedObject,
  ObjectChange,
  ObjectValidator,
  ResourceContext,
  ResourceDefinition,
  ResourceHost,
  WriteAction,
} from './resource/definition.js';
export { notifyResourceEvent, withResourceEvents, type EventHost, type ResourceEventInput } from './resource/events.js';
export { idGeneratorByName, nameGenerator, relaxedUuidGenerator, uuid4Generator, type IdGenerator } from './resource/ids.js';
export { buildToken, nextPageUrl, paginationRules, readToken, snapshotTimestamp, type PaginationToken } from './resource/pagination.js';
export { jsonMergeDialect, PATCH_CONTENT_TYPES, patchDialect, registerPatchDialect, type PatchDialect, type PatchInput, type PatchResult } from './resource/patch.js';
export { checkPreconditions, notModified, preconditionHeader, setTimestampHeaders, type PreconditionTarget } from './resource/preconditions.js';
export { integerParam, MAX_FIELD_LENGTH, parseFields, parseFilters, parseLimit, parseSorting, projectFields, type QueryOptions } from './resource/query.js';
export { nativeQueryValue, parseRawQuery, type RawQuery } from './resource/querystring.js';
export { registerResource, resourceHost } from './resource/register.js';
export { cascadeDelete, deleteObjects, notifyChanges, saveObject, writeAcl } from './resource/write.js';
export { createObjectIfMissing } from './resource/implicit.js';
export { jsonPatchDialect, mergePatchDialect } from './patch/dialects.js';
export { applyJsonPatch, JSON_PATCH_MAX_OPERATIONS, parseJsonPatch, type JsonPatchOperation, type PatchOptions, type PatchTarget } from './patch/json-patch.js';
export { applyMergePatch, mergePatch } from './patch/merge-patch.js';
export { checkSchemaDocument, SchemaCache, validateWithSchema, type ValidateOptions } from './schema/json-schema.js';
export { registerSchemaValidation, schemaValidationOf } from './schema/resources.js';
export { SCHEMA_CAPABILITY, SchemaValidation, type SchemaContext, type SchemaParent, type ValidatedResource } from './schema/validation.js';
