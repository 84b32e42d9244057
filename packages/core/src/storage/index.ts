// The storage interface (Kinto's `kinto/core/storage/__init__.py` StorageBase).
// Objects live in lists identified by (resourceName, parentId); every list has a
// timestamp (kinto-api.md §5.1). Backends: memory (./memory.ts) and PostgreSQL.
// One shared suite (../testing/storage-suite.ts) runs against each of them.

export type KintoObject = { id: string; last_modified: number; deleted?: boolean } & Record<string, unknown>;
export type Tombstone = { id: string; last_modified: number; deleted: true };

/** Filter operators (kinto-api.md §6.2). */
export const COMPARISON = {
  EQ: 'eq',
  NOT: 'not',
  LT: 'lt',
  GT: 'gt',
  MIN: 'min',
  MAX: 'max',
  IN: 'in',
  EXCLUDE: 'exclude',
  LIKE: 'like',
  HAS: 'has',
  CONTAINS: 'contains',
  CONTAINS_ANY: 'contains_any',
} as const;
export type Comparison = (typeof COMPARISON)[keyof typeof COMPARISON];

export interface Filter {
  /** Dotted path (`party.voters`), `id` or `last_modified`. */
  field: string;
  operator: Comparison;
  /**
   * The JSON-decoded value (a list for IN/EXCLUDE/CONTAINS/CONTAINS_ANY). `undefined` stands for a
   * missing field: keyset pagination past an object that lacks the sort field (§6.4).
   */
  value: unknown;
}

export interface Sort {
  field: string;
  direction: 1 | -1;
}

export interface ListOptions {
  filters?: Filter[];
  sorting?: Sort[];
  /** OR of AND-lists: an object matches when it matches every filter of at least one list (keyset pagination). */
  paginationRules?: Filter[][];
  limit?: number;
  /** Include tombstones (kinto-api.md §6.6). */
  includeDeleted?: boolean;
}

export interface DeleteAllOptions {
  filters?: Filter[];
  sorting?: Sort[];
  paginationRules?: Filter[][];
  limit?: number;
  /** Leave tombstones (true for client deletes, false for cascades). */
  withDeleted?: boolean;
}

export interface PurgeOptions {
  /** Remove only tombstones older than this timestamp. */
  before?: number;
  /** Keep at most this many tombstones per (resource, parent). */
  maxRetained?: number;
}

/** A parent id may end with `*` to address every matching list (cascades: `/buckets/b/collections/*`). */
export interface Storage {
  /** Creates tables etc. No-op for memory. */
  initialize(): Promise<void>;
  heartbeat(): Promise<boolean>;
  /** Removes everything (flush plugin, tests). */
  flush(): Promise<void>;
  close(): Promise<void>;

  /**
   * A number that changes on every write to this backend, when the backend alone can
   * tell (in-process storage); absent when other processes write too (PostgreSQL).
   * While it is unchanged, every read answers the same: list pages are then served
   * from their kept JSON (resource/page-cache.ts).
   */
  readonly generation?: number;

  /** The list timestamp; an empty list gets the current time, fixed until the first write. */
  resourceTimestamp(resourceName: string, parentId: string): Promise<number>;

  /**
   * Creates an object (id given in `obj.id`). Assigns `last_modified` (§5.1).
   * Throws UnicityError when a live object with that id exists.
   */
  create(resourceName: string, parentId: string, obj: Record<string, unknown> & { id: string }): Promise<KintoObject>;
  /** Throws ObjectNotFoundError when absent (tombstones count as absent). */
  get(resourceName: string, parentId: string, objectId: string): Promise<KintoObject>;
  /** Creates or replaces (a tombstone is replaced). Assigns `last_modified` (§5.1). */
  update(resourceName: string, parentId: string, objectId: string, obj: Record<string, unknown>): Promise<KintoObject>;
  /** Deletes and returns the tombstone (or the deleted object when withDeleted is false). Throws ObjectNotFoundError. */
  delete(
    resourceName: string,
    parentId: string,
    objectId: string,
    options?: { withDeleted?: boolean; lastModified?: number },
  ): Promise<KintoObject>;
  deleteAll(resourceName: string, parentId: string, options?: DeleteAllOptions): Promise<KintoObject[]>;
  purgeDeleted(resourceName: string, parentId: string, options?: PurgeOptions): Promise<number>;
  listAll(resourceName: string, parentId: string, options?: ListOptions): Promise<KintoObject[]>;
  /** Live objects matching the filters (tombstones never counted). */
  countAll(resourceName: string, parentId: string, filters?: Filter[]): Promise<number>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly resourceName: string, readonly parentId: string, readonly objectId: string) {
    super(`${resourceName} ${objectId} not found in ${parentId}`);
    this.name = 'ObjectNotFoundError';
  }
}

export class UnicityError extends Error {
  constructor(readonly field: string, readonly existing: KintoObject) {
    super(`${field} is not unique`);
    this.name = 'UnicityError';
  }
}
