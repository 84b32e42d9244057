// Resource events (settings.md §4.4): plugins (history, default_bucket, listeners)
// subscribe with optional resource/action predicates. `ResourceChanged` and
// `ResourceRead` run before commit (a throwing subscriber aborts the request);
// the `After*` events run after a successful commit and their errors are logged.
import type { FastifyRequest } from 'fastify';
import type { KintoObject } from '../storage/index.js';

export type ResourceAction = 'create' | 'update' | 'delete' | 'read';

export interface EventPayload {
  /** The list timestamp after the change. */
  timestamp: number;
  action: ResourceAction;
  /** Request path without `/v1`. */
  uri: string;
  user_id: string | null;
  resource_name: string;
  /** URL ids with `id` renamed `<resource>_id` (`bucket_id`, `collection_id`, `record_id`). */
  [key: string]: unknown;
}

export interface ImpactedObject {
  new: KintoObject;
  old?: KintoObject;
}

export interface ResourceChangedEvent {
  type: 'ResourceChanged' | 'AfterResourceChanged';
  payload: EventPayload;
  impacted_objects: ImpactedObject[];
  request: FastifyRequest;
}

export interface ResourceReadEvent {
  type: 'ResourceRead' | 'AfterResourceRead';
  payload: EventPayload;
  read_objects: KintoObject[];
  request: FastifyRequest;
}

export interface ServerFlushedEvent {
  type: 'ServerFlushed';
  request: FastifyRequest;
}

export type KintoEvent = ResourceChangedEvent | ResourceReadEvent | ServerFlushedEvent;
export type KintoEventType = KintoEvent['type'];
// Each event interface covers two types (before/after commit): map a type to its interface.
type EventOf<T extends KintoEventType> = T extends ResourceChangedEvent['type']
  ? ResourceChangedEvent
  : T extends ResourceReadEvent['type']
    ? ResourceReadEvent
    : ServerFlushedEvent;

export interface SubscriptionFilter {
  resources?: string[];
  actions?: ResourceAction[];
}

export type Listener<T extends KintoEventType> = (event: EventOf<T>) => void | Promise<void>;

interface Subscription {
  type: KintoEventType;
  filter: SubscriptionFilter;
  listener: (event: KintoEvent) => void | Promise<void>;
}

export class EventBus {
  private readonly subscriptions: Subscription[] = [];

  on<T extends KintoEventType>(type: T, listener: Listener<T>, filter: SubscriptionFilter = {}): void {
    this.subscriptions.push({ type, filter, listener: listener as (event: KintoEvent) => void | Promise<void> });
  }

  hasListeners(type: KintoEventType): boolean {
    return this.subscriptions.some((s) => s.type === type);
  }

  /** Runs the matching listeners in subscription order; the first error propagates. */
  async emit(event: KintoEvent): Promise<void> {
    for (const s of this.subscriptions) {
      if (s.type !== event.type) continue;
      if ('payload' in event) {
        if (s.filter.resources && !s.filter.resources.includes(event.payload.resource_name)) continue;
        if (s.filter.actions && !s.filter.actions.includes(event.payload.action)) continue;
      }
      await s.listener(event);
    }
  }
}
