// In-process storage backend (Kinto's `kinto.core.storage.memory`).
// Objects are stored as deep-frozen clones of what callers gave, and reads return
// those frozen objects themselves: copying every returned record was ~16 % of a
// cached-token page (docs/performance.md). A caller mutating a returned object
// throws a TypeError (ES modules are strict) instead of changing stored data;
// callers that need a changed object build a new one.
import { wildcardRegExp } from '../permission/memory.js';
import {
  ObjectNotFoundError,
  UnicityError,
  type DeleteAllOptions,
  type Filter,
  type KintoObject,
  type ListOptions,
  type PurgeOptions,
  type Storage,
} from './index.js';
import { matchAll, matchPagination, sortObjects } from './query.js';

type List = Map<string, KintoObject>;

/** Freezes a freshly cloned JSON value and everything in it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A frozen copy of a caller's object: later changes to the argument never reach the store. */
function store(obj: Record<string, unknown>, lastModified: number): KintoObject {
  const stored = structuredClone(obj) as KintoObject;
  stored.last_modified = lastModified;
  delete stored.deleted;
  return deepFreeze(stored);
}

export class MemoryStorage implements Storage {
  /** `${resourceName}\u0000${parentId}` → id → object (tombstones included) */
  private lists = new Map<string, List>();
  private timestamps = new Map<string, number>();
  private writes = 0;

  /** Changes on every write (see Storage.generation). */
  get generation(): number {
    return this.writes;
  }

  async initialize(): Promise<void> {}
  async heartbeat(): Promise<boolean> {
    return true;
  }
  async flush(): Promise<void> {
    this.writes++;
    this.lists.clear();
    this.timestamps.clear();
  }
  async close(): Promise<void> {}

  private key(resourceName: string, parentId: string): string {
    return `${resourceName}\u0000${parentId}`;
  }

  /** Every (key, list) of a resource whose parent matches `parentId` (which may hold `*`). */
  private matchingLists(resourceName: string, parentId: string): Array<[string, List]> {
    if (!parentId.includes('*')) {
      const list = this.lists.get(this.key(resourceName, parentId));
      return list ? [[this.key(resourceName, parentId), list]] : [];
    }
    const re = wildcardRegExp(parentId);
    const prefix = `${resourceName}\u0000`;
    return [...this.lists].filter(([key]) => key.startsWith(prefix) && re.test(key.slice(prefix.length)));
  }

  private list(resourceName: string, parentId: string): List {
    const key = this.key(resourceName, parentId);
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = new Map()));
    return list;
  }

  async resourceTimestamp(resourceName: string, parentId: string): Promise<number> {
    const key = this.key(resourceName, parentId);
    let ts = this.timestamps.get(key);
    if (ts === undefined) {
      ts = Date.now();
      this.timestamps.set(key, ts);
    }
    return ts;
  }

  /**
   * Assigns `last_modified` (kinto-api.md §5.1): strictly increasing within the list,
   * a client value in the future is kept, one in the past is kept without moving the list.
   */
  private bump(resourceName: string, parentId: string, obj: Record<string, unknown>, previous?: KintoObject): number {
    this.writes++;
    const key = this.key(resourceName, parentId);
    const current = this.timestamps.get(key);
    const listTs = current ?? 0;
    const provided = obj.last_modified;
    let ts: number;
    const validProvided =
      typeof provided === 'number' && Number.isSafeInteger(provided) && provided >= 0 && (!previous || provided > previous.last_modified);
    if (validProvided && provided !== listTs) {
      ts = provided;
      if (ts > listTs) this.timestamps.set(key, ts);
      return ts;
    }
    const now = Date.now();
    ts = current !== undefined && now <= current ? current + 1 : Math.max(now, listTs + 1);
    this.timestamps.set(key, ts);
    return ts;
  }

  async create(resourceName: string, parentId: string, obj: Record<string, unknown> & { id: string }): Promise<KintoObject> {
    const list = this.list(resourceName, parentId);
    const existing = list.get(obj.id);
    if (existing && !existing.deleted) throw new UnicityError('id', existing);
    const stored = store(obj, this.bump(resourceName, parentId, obj));
    list.set(stored.id, stored);
    return stored;
  }

  async get(resourceName: string, parentId: string, objectId: string): Promise<KintoObject> {
    const found = this.lists.get(this.key(resourceName, parentId))?.get(objectId);
    if (!found || found.deleted) throw new ObjectNotFoundError(resourceName, parentId, objectId);
    return found;
  }

  async update(resourceName: string, parentId: string, objectId: string, obj: Record<string, unknown>): Promise<KintoObject> {
    const list = this.list(resourceName, parentId);
    const previous = list.get(objectId);
    const stored = store({ ...obj, id: objectId }, this.bump(resourceName, parentId, obj, previous && !previous.deleted ? previous : undefined));
    list.set(objectId, stored);
    return stored;
  }

  async delete(
    resourceName: string,
    parentId: string,
    objectId: string,
    options: { withDeleted?: boolean; lastModified?: number } = {},
  ): Promise<KintoObject> {
    const list = this.lists.get(this.key(resourceName, parentId));
    const existing = list?.get(objectId);
    if (!list || !existing || existing.deleted) throw new ObjectNotFoundError(resourceName, parentId, objectId);
    const withDeleted = options.withDeleted ?? true;
    const ts = this.bump(resourceName, parentId, { last_modified: options.lastModified }, existing);
    if (withDeleted) {
      const tombstone: KintoObject = Object.freeze({ id: objectId, last_modified: ts, deleted: true });
      list.set(objectId, tombstone);
      return tombstone;
    }
    list.delete(objectId);
    // The fields below are the stored (frozen) ones: a shallow copy stays read-only.
    return Object.freeze({ ...existing, last_modified: ts });
  }

  async deleteAll(resourceName: string, parentId: string, options: DeleteAllOptions = {}): Promise<KintoObject[]> {
    const withDeleted = options.withDeleted ?? true;
    const candidates: Array<{ parent: string; obj: KintoObject }> = [];
    const prefix = `${resourceName}\u0000`;
    for (const [key, list] of this.matchingLists(resourceName, parentId)) {
      for (const obj of list.values()) {
        if (obj.deleted) continue;
        if (!matchAll(obj, options.filters) || !matchPagination(obj, options.paginationRules)) continue;
        candidates.push({ parent: key.slice(prefix.length), obj });
      }
    }
    let ordered = candidates;
    if (options.sorting?.length) {
      const sorted = sortObjects(candidates.map((c) => c.obj), options.sorting);
      const byObj = new Map(candidates.map((c) => [c.obj, c.parent]));
      ordered = sorted.map((obj) => ({ obj, parent: byObj.get(obj)! }));
    }
    if (options.limit !== undefined) ordered = ordered.slice(0, options.limit);
    const deleted: KintoObject[] = [];
    for (const { parent, obj } of ordered) {
      deleted.push(await this.delete(resourceName, parent, obj.id, { withDeleted }));
    }
    // Cascades (withDeleted false) also purge the tombstones left in those lists.
    if (!withDeleted) {
      this.writes++;
      for (const [key, list] of this.matchingLists(resourceName, parentId)) {
        for (const [id, obj] of list) if (obj.deleted) list.delete(id);
        if (list.size === 0) {
          this.lists.delete(key);
          this.timestamps.delete(key);
        }
      }
    }
    return deleted;
  }

  async purgeDeleted(resourceName: string, parentId: string, options: PurgeOptions = {}): Promise<number> {
    this.writes++;
    let count = 0;
    for (const [, list] of this.matchingLists(resourceName, parentId)) {
      const tombstones = [...list.values()].filter((o) => o.deleted).sort((a, b) => b.last_modified - a.last_modified);
      tombstones.forEach((t, index) => {
        const tooOld = options.before !== undefined && t.last_modified < options.before;
        const beyond = options.maxRetained !== undefined && index >= options.maxRetained;
        const purge = options.before === undefined && options.maxRetained === undefined ? true : tooOld || beyond;
        if (purge) {
          list.delete(t.id);
          count++;
        }
      });
    }
    return count;
  }

  async listAll(resourceName: string, parentId: string, options: ListOptions = {}): Promise<KintoObject[]> {
    const out: KintoObject[] = [];
    for (const [, list] of this.matchingLists(resourceName, parentId)) {
      for (const obj of list.values()) {
        if (obj.deleted && !options.includeDeleted) continue;
        if (!matchAll(obj, options.filters) || !matchPagination(obj, options.paginationRules)) continue;
        out.push(obj);
      }
    }
    let sorted = sortObjects(out, options.sorting);
    if (options.limit !== undefined) sorted = sorted.slice(0, options.limit);
    return sorted;
  }

  async countAll(resourceName: string, parentId: string, filters: Filter[] = []): Promise<number> {
    let count = 0;
    for (const [, list] of this.matchingLists(resourceName, parentId)) {
      for (const obj of list.values()) if (!obj.deleted && matchAll(obj, filters)) count++;
    }
    return count;
  }
}
