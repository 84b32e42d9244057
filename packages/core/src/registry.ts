// What plugins and the core register at start-up: capabilities, heartbeats,
// authentication policies, public settings, hello user-info contributors, and the
// backends they can rely on (settings.md §4.2).
import type { FastifyRequest } from 'fastify';
import type { PolicyFactory } from './authentication/policy.js';
import type { Cache } from './cache/index.js';
import { StartupError } from './errors.js';
import { EventBus } from './events/index.js';
import type { Logger } from './logger.js';
import type { Permission } from './permission/index.js';
import type { Settings } from './settings/load.js';
import type { Storage } from './storage/index.js';

export interface Capability {
  description: string;
  url: string;
  [extra: string]: unknown;
}

/**
 * A heartbeat check: true (healthy), false (failing), null (not applicable).
 * Runs concurrently with the others, bounded by `heartbeat_timeout_seconds`; the
 * signal aborts when the timeout passes. Throwing counts as false.
 */
export type HeartbeatCheck = (signal: AbortSignal) => Promise<boolean | null> | boolean | null;

/** Adds fields to hello `user` for authenticated requests (default_bucket: `bucket`; OpenID: `profile`). */
export type UserInfoContributor = (request: FastifyRequest, user: Record<string, unknown>) => void | Promise<void>;

export class Registry {
  readonly events = new EventBus();
  readonly capabilities = new Map<string, Capability>();
  readonly heartbeats = new Map<string, HeartbeatCheck>();
  readonly publicSettings = new Set<string>(['batch_max_requests', 'readonly', 'explicit_permissions']);
  readonly policyFactories = new Map<string, PolicyFactory>();
  readonly userInfo: UserInfoContributor[] = [];
  readonly includes: string[] = [];
  readonly closeHooks: Array<() => Promise<void> | void> = [];
  /** Free-form shared state between plugins (`registry.extras.get('accounts')`). */
  readonly extras = new Map<string, unknown>();

  constructor(
    readonly settings: Settings,
    readonly log: Logger,
    readonly storage: Storage,
    readonly permission: Permission,
    readonly cache: Cache,
  ) {}

  addCapability(id: string, capability: Partial<Capability> = {}): void {
    if (this.capabilities.has(id)) {
      throw new StartupError('KINTO_ERR_CAPABILITY', `The '${id}' API capability was already registered.`);
    }
    this.capabilities.set(id, { description: '', url: '', ...capability });
  }

  addHeartbeat(name: string, check: HeartbeatCheck): void {
    this.heartbeats.set(name, check);
  }

  addPolicy(names: string[], factory: PolicyFactory): void {
    for (const name of names) this.policyFactories.set(name, factory);
  }
}
