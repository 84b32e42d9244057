// The permission interface (Kinto's `kinto/core/permission/__init__.py` PermissionBase).
// ACLs are stored per object URI (`/buckets/b1/collections/c1`); user principals
// (group memberships) per user id. Object ids may contain `*` wildcards where noted.

export type Acl = Record<string, string[]>;

export interface Permission {
  initialize(): Promise<void>;
  heartbeat(): Promise<boolean>;
  flush(): Promise<void>;
  close(): Promise<void>;

  /**
   * A number that changes on every write to this backend, when the backend alone can
   * tell (in-process permissions); absent when other processes write too (PostgreSQL).
   * While it and the storage's are unchanged, permissions and group memberships answer
   * the same: identities and whole responses may then be reused (http/kept-responses.ts).
   */
  readonly generation?: number;

  /** Group memberships: `addUserPrincipal("basicauth:abc", "/buckets/b/groups/g")`. */
  addUserPrincipal(userId: string, principal: string): Promise<void>;
  removeUserPrincipal(userId: string, principal: string): Promise<void>;
  /** Removes a principal from every user (a deleted group). */
  removePrincipal(principal: string): Promise<void>;
  getUserPrincipals(userId: string): Promise<string[]>;
  /**
   * The principals of several users at once, without duplicates (optional: the
   * multiauth chain asks for the user's and `system.Authenticated`'s on every
   * authenticated request — one round trip instead of two on PostgreSQL).
   */
  getUsersPrincipals?(userIds: readonly string[]): Promise<string[]>;

  addPrincipalToAce(objectId: string, permission: string, principal: string): Promise<void>;
  removePrincipalFromAce(objectId: string, permission: string, principal: string): Promise<void>;
  getObjectPermissionPrincipals(objectId: string, permission: string): Promise<string[]>;

  /**
   * Objects on which any of `principals` holds a permission: `{objectId: [perms]}`.
   * `boundPermissions` restricts to (objectId pattern with `*`, permission) pairs.
   */
  getAccessibleObjects(
    principals: string[],
    boundPermissions?: Array<[string, string]>,
    options?: { withChildren?: boolean },
  ): Promise<Record<string, string[]>>;
  /** Every principal holding one of the given (objectId, permission) pairs. */
  getAuthorizedPrincipals(boundPermissions: Array<[string, string]>): Promise<string[]>;
  /** The ACL of each object, in order; `permissions` restricts the permission names. */
  getObjectsPermissions(objectIds: string[], permissions?: string[]): Promise<Acl[]>;
  getObjectPermissions(objectId: string, permissions?: string[]): Promise<Acl>;
  /** Replaces the listed permissions of an object (permissions absent from `acl` are left alone; empty lists clear). */
  replaceObjectPermissions(objectId: string, acl: Acl): Promise<void>;
  /** Deletes the ACLs of the given objects; ids may end with `*` (cascades). */
  deleteObjectPermissions(...objectIds: string[]): Promise<void>;
}
