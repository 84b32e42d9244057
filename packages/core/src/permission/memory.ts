// In-process permission backend (Kinto's `kinto.core.permission.memory`).
import type { Acl, Permission } from './index.js';

/** `*` in a stored-object pattern matches any run of characters (cascades, bound permissions). */
export function wildcardRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export class MemoryPermission implements Permission {
  /** objectId → permission → principals */
  private aces = new Map<string, Map<string, Set<string>>>();
  /** userId → principals */
  private users = new Map<string, Set<string>>();
  private writes = 0;

  /** Changes on every write (see Permission.generation). */
  get generation(): number {
    return this.writes;
  }

  async initialize(): Promise<void> {}
  async heartbeat(): Promise<boolean> {
    return true;
  }
  async flush(): Promise<void> {
    this.writes++;
    this.aces.clear();
    this.users.clear();
  }
  async close(): Promise<void> {}

  async addUserPrincipal(userId: string, principal: string): Promise<void> {
    this.writes++;
    let set = this.users.get(userId);
    if (!set) this.users.set(userId, (set = new Set()));
    set.add(principal);
  }

  async removeUserPrincipal(userId: string, principal: string): Promise<void> {
    this.writes++;
    const set = this.users.get(userId);
    if (!set) return;
    set.delete(principal);
    if (set.size === 0) this.users.delete(userId);
  }

  async removePrincipal(principal: string): Promise<void> {
    this.writes++;
    for (const [userId, set] of this.users) {
      set.delete(principal);
      if (set.size === 0) this.users.delete(userId);
    }
  }

  async getUserPrincipals(userId: string): Promise<string[]> {
    return [...(this.users.get(userId) ?? [])];
  }

  async getUsersPrincipals(userIds: readonly string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const userId of userIds) for (const p of this.users.get(userId) ?? []) out.add(p);
    return [...out];
  }

  async addPrincipalToAce(objectId: string, permission: string, principal: string): Promise<void> {
    this.writes++;
    let perms = this.aces.get(objectId);
    if (!perms) this.aces.set(objectId, (perms = new Map()));
    let set = perms.get(permission);
    if (!set) perms.set(permission, (set = new Set()));
    set.add(principal);
  }

  async removePrincipalFromAce(objectId: string, permission: string, principal: string): Promise<void> {
    this.writes++;
    const set = this.aces.get(objectId)?.get(permission);
    if (!set) return;
    set.delete(principal);
    this.compact(objectId);
  }

  private compact(objectId: string): void {
    const perms = this.aces.get(objectId);
    if (!perms) return;
    for (const [perm, set] of perms) if (set.size === 0) perms.delete(perm);
    if (perms.size === 0) this.aces.delete(objectId);
  }

  async getObjectPermissionPrincipals(objectId: string, permission: string): Promise<string[]> {
    return [...(this.aces.get(objectId)?.get(permission) ?? [])];
  }

  async getAccessibleObjects(
    principals: string[],
    boundPermissions?: Array<[string, string]>,
    options: { withChildren?: boolean } = {},
  ): Promise<Record<string, string[]>> {
    const wanted = new Set(principals);
    const result: Record<string, Set<string>> = {};
    const add = (objectId: string, perm: string) => (result[objectId] ??= new Set()).add(perm);
    const bounds = boundPermissions?.map(([pattern, perm]) => {
      const p = options.withChildren ? `${pattern}*` : pattern;
      return { re: wildcardRegExp(p), perm };
    });
    for (const [objectId, perms] of this.aces) {
      for (const [perm, set] of perms) {
        if (![...set].some((p) => wanted.has(p))) continue;
        if (bounds && !bounds.some((b) => b.perm === perm && b.re.test(objectId))) continue;
        add(objectId, perm);
      }
    }
    return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, [...v]]));
  }

  async getAuthorizedPrincipals(boundPermissions: Array<[string, string]>): Promise<string[]> {
    const out = new Set<string>();
    for (const [objectId, perm] of boundPermissions) {
      for (const p of this.aces.get(objectId)?.get(perm) ?? []) out.add(p);
    }
    return [...out];
  }

  async getObjectPermissions(objectId: string, permissions?: string[]): Promise<Acl> {
    const perms = this.aces.get(objectId);
    const acl: Acl = {};
    if (!perms) return acl;
    for (const [perm, set] of perms) {
      if (permissions && !permissions.includes(perm)) continue;
      if (set.size > 0) acl[perm] = [...set];
    }
    return acl;
  }

  async getObjectsPermissions(objectIds: string[], permissions?: string[]): Promise<Acl[]> {
    return Promise.all(objectIds.map((id) => this.getObjectPermissions(id, permissions)));
  }

  async replaceObjectPermissions(objectId: string, acl: Acl): Promise<void> {
    this.writes++;
    let perms = this.aces.get(objectId);
    if (!perms) this.aces.set(objectId, (perms = new Map()));
    for (const [perm, principals] of Object.entries(acl)) perms.set(perm, new Set(principals));
    this.compact(objectId);
  }

  async deleteObjectPermissions(...objectIds: string[]): Promise<void> {
    this.writes++;
    for (const id of objectIds) {
      if (id.includes('*')) {
        const re = wildcardRegExp(id);
        for (const key of [...this.aces.keys()]) if (re.test(key)) this.aces.delete(key);
      } else {
        this.aces.delete(id);
      }
    }
  }
}
