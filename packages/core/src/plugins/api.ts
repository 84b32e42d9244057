// The plugin hook (settings.md §4): a plugin is one registration function that
// receives this narrow, typed API — not the whole registry.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { PolicyFactory } from '../authentication/policy.js';
import type { Cache } from '../cache/index.js';
import type { EventBus } from '../events/index.js';
import type { Identity } from '../http/context.js';
import type { ServiceDefinition } from '../http/service.js';
import type { Logger } from '../logger.js';
import type { Permission } from '../permission/index.js';
import type { Capability, HeartbeatCheck, UserInfoContributor } from '../registry.js';
import type { Settings } from '../settings/load.js';
import type { SettingsSpec } from '../settings/schema.js';
import type { Storage } from '../storage/index.js';

export interface PluginApi {
  readonly settings: Settings;
  readonly log: Logger;
  readonly storage: Storage;
  readonly permission: Permission;
  readonly cache: Cache;
  readonly events: EventBus;
  /** Names in `kinto.includes`, as written (Python or npm names). */
  readonly includes: readonly string[];
  /** The server version (`project_version` or the package version). */
  readonly version: string;

  /** Declares typed settings with defaults; environment overrides apply (settings.md §2.2). Throws on invalid values. */
  defineSettings<T>(spec: SettingsSpec): Readonly<T>;
  /** Defaults for free-form keys (environment overrides apply). */
  setDefaults(defaults: Record<string, unknown>): void;
  /** Registers an authentication policy under each name (its own and aliases such as Python dotted paths). */
  addPolicy(names: string | string[], factory: PolicyFactory): void;
  /** Shown in hello `capabilities`; registering an identifier twice is a start-up error. */
  addCapability(id: string, capability: Partial<Capability>): void;
  /** Shown in `/__heartbeat__`; false makes it answer 503. */
  addHeartbeat(name: string, check: HeartbeatCheck): void;
  /** Shows a setting in hello `settings`. */
  addPublicSetting(key: string): void;
  /** Adds fields to hello `user`. */
  addUserInfo(contributor: UserInfoContributor): void;
  /** A Kinto service under `/v1` (405/OPTIONS/CORS/JSON bodies handled). */
  service(definition: ServiceDefinition): void;
  /** Plain fastify routes under `/v1`. */
  routes(plugin: FastifyPluginAsync): void;
  /** The request's identity (computed once per request or batch). */
  authenticate(request: FastifyRequest): Promise<Identity>;
  /** The `WWW-Authenticate` challenges of the configured policies (for 401 answers). */
  challenges(): string[];
  /** Shared state between plugins. */
  provide(key: string, value: unknown): void;
  lookup<T>(key: string): T | undefined;
  /** Runs when the server closes. */
  onClose(hook: () => Promise<void> | void): void;
}

export interface KintoPlugin {
  /** The npm name (`@kinto-ts/fxa`). */
  name: string;
  /** The plugin's registration function (Kinto's `includeme`). */
  includeme(api: PluginApi): void | Promise<void>;
}

/** A plugin module default-exports a KintoPlugin or a bare registration function. */
export type PluginModule = KintoPlugin | ((api: PluginApi) => void | Promise<void>);

/** Identity helper that gives plugin authors type checking. */
export function definePlugin(plugin: KintoPlugin): KintoPlugin {
  return plugin;
}
