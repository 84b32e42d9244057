// Resource events (settings.md §4.4): changes are accumulated during a request — and
// across the sub-requests of a batch, through `request.kinto.bound` — merged per
// (resource, parent, action), then `ResourceChanged` runs before commit and
// `AfterResourceChanged` after it. Subscribers' own events run in later rounds.
import type { FastifyRequest } from 'fastify';
import type { EventBus, EventPayload, ImpactedObject, KintoEventType, ResourceAction } from '../events/index.js';
import type { Logger } from '../logger.js';
import type { Permission } from '../permission/index.js';
import type { Storage } from '../storage/index.js';
import { runInTransaction } from '../transaction.js';

interface PendingEvent {
  key: string;
  changed: boolean;
  payload: EventPayload;
  impacted: ImpactedObject[];
  read: ImpactedObject['new'][];
  request: FastifyRequest;
}

const PENDING = 'resource_events';
const OWNER = 'resource_events_owner';

export interface ResourceEventInput {
  resourceName: string;
  parentId: string;
  action: ResourceAction;
  /** The list timestamp after the change. */
  timestamp: number;
  /** URL ids with the own id as `<resource>_id`. */
  ids: Readonly<Record<string, string>>;
  /** The request path without `/v1` (defaults to the request's). */
  uri?: string;
  userId: string | null;
  impacted?: ImpactedObject[];
  read?: ImpactedObject['new'][];
}

function pending(request: FastifyRequest): PendingEvent[] {
  let list = request.kinto.bound.get(PENDING) as PendingEvent[] | undefined;
  if (!list) request.kinto.bound.set(PENDING, (list = []));
  return list;
}

export function requestUri(request: FastifyRequest): string {
  const path = (request.raw.url ?? request.url).split('?')[0]!;
  return path.replace(/^\/v\d+/, '') || '/';
}

/** Stacks an event on the request (or its batch); merged with a previous one of the same kind. */
export function notifyResourceEvent(request: FastifyRequest, input: ResourceEventInput): void {
  const key = `${input.resourceName}\u0000${input.parentId}\u0000${input.action}`;
  const list = pending(request);
  const existing = list.find((e) => e.key === key);
  if (existing) {
    existing.impacted.push(...(input.impacted ?? []));
    existing.read.push(...(input.read ?? []));
    return;
  }
  list.push({
    key,
    changed: input.action !== 'read',
    payload: {
      timestamp: input.timestamp,
      action: input.action,
      uri: input.uri ?? requestUri(request),
      user_id: input.userId,
      resource_name: input.resourceName,
      ...input.ids,
    },
    impacted: [...(input.impacted ?? [])],
    read: [...(input.read ?? [])],
    request,
  });
}

/**
 * Whether read events have a subscriber: `ResourceRead` events are only delivered to
 * listeners, so reads skip stacking them otherwise (one less allocation per GET).
 */
export function readsObserved(events: EventBus): boolean {
  return events.hasListeners('ResourceRead') || events.hasListeners('AfterResourceRead');
}

function changesObserved(events: EventBus): boolean {
  return events.hasListeners('ResourceChanged') || events.hasListeners('AfterResourceChanged');
}

/** Drops the events stacked so far (a batch rolled back the work that produced them). */
export function discardResourceEvents(request: FastifyRequest): void {
  pending(request).splice(0);
}

export interface EventHost {
  readonly events: EventBus;
  readonly storage: Storage;
  readonly permission: Permission;
  readonly log: Logger;
}

async function emit(bus: EventBus, events: PendingEvent[], after: boolean): Promise<void> {
  for (const e of events) {
    const type: KintoEventType = e.changed ? (after ? 'AfterResourceChanged' : 'ResourceChanged') : after ? 'AfterResourceRead' : 'ResourceRead';
    if (!bus.hasListeners(type)) continue;
    if (e.changed) {
      await bus.emit({ type: type as 'ResourceChanged', payload: e.payload, impacted_objects: e.impacted, request: e.request });
    } else {
      await bus.emit({ type: type as 'ResourceRead', payload: e.payload, read_objects: e.read, request: e.request });
    }
  }
}

/**
 * Runs a request's work with event delivery: the outermost caller (a request, or
 * the batch replaying sub-requests) owns the events; nested calls only stack them.
 * `write`: the work and the `ResourceChanged` round run in one transaction.
 */
export async function withResourceEvents<T>(host: EventHost, request: FastifyRequest, write: boolean, fn: () => Promise<T>): Promise<T> {
  const bound = request.kinto.bound;
  if (bound.get(OWNER)) return write ? runInTransaction(host, fn) : fn();
  // A read nobody listens to: no event of it can be delivered (a read may still
  // write, e.g. implicit default-bucket creations, so changes count too).
  if (!write && !readsObserved(host.events) && !changesObserved(host.events)) return fn();
  bound.set(OWNER, true);
  const delivered: PendingEvent[] = [];
  try {
    const work = async () => {
      const result = await fn();
      // Subscribers may write and stack new events: deliver them in later rounds.
      for (let round = 0; round < 10; round++) {
        const batch = pending(request).splice(0);
        if (batch.length === 0) break;
        await emit(host.events, batch, false);
        delivered.push(...batch);
      }
      return result;
    };
    const result = write ? await runInTransaction(host, work) : await work();
    try {
      await emit(host.events, delivered, true);
    } catch (error) {
      host.log.error({ err: error }, 'an AfterResourceChanged subscriber failed');
    }
    return result;
  } finally {
    bound.delete(OWNER);
    bound.delete(PENDING);
  }
}
