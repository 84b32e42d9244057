// One transaction per writing request (and per batch): backends that support
// transactions (PostgreSQL) implement `runInTransaction`; they find the current
// transaction through their own AsyncLocalStorage, so resource code calls
// storage/permission methods as usual. A nested call joins the outer transaction.
import type { Registry } from './registry.js';

export interface Transactional {
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Joins an active one. */
  runInTransaction?<T>(fn: () => Promise<T>): Promise<T>;
  /** True when `other`'s writes already run in this backend's transactions (PostgreSQL: one database, one pool). */
  sharesTransactionsWith?(other: unknown): boolean;
}

export async function runInTransaction<T>(registry: Pick<Registry, 'storage' | 'permission'>, fn: () => Promise<T>): Promise<T> {
  const storage = registry.storage as Transactional;
  const permission = registry.permission as Transactional;
  const inPermission = permission.runInTransaction
    ? () => permission.runInTransaction!(fn)
    : fn;
  if (storage.runInTransaction && (storage as unknown) !== (permission as unknown)) {
    // One transaction is enough when both backends write in it (no savepoint for the permission's).
    return storage.runInTransaction(storage.sharesTransactionsWith?.(permission) ? fn : inPermission);
  }
  return inPermission();
}
