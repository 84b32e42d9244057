// One transaction per writing request (and per batch): backends that support
// transactions (PostgreSQL) implement `runInTransaction`; they find the current
// transaction through their own AsyncLocalStorage, so resource code calls
// storage/permission methods as usual. A nested call joins the outer transaction.
import type { Registry } from './registry.js';

export interface Transactional {
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Joins an active one. */
  runInTransaction?<T>(fn: () => Promise<T>): Promise<T>;
}

export async function runInTransaction<T>(registry: Pick<Registry, 'storage' | 'permission'>, fn: () => Promise<T>): Promise<T> {
  const storage = registry.storage as Transactional;
  const permission = registry.permission as Transactional;
  const inPermission = permission.runInTransaction
    ? () => permission.runInTransaction!(fn)
    : fn;
  if (storage.runInTransaction && (storage as unknown) !== (permission as unknown)) {
    return storage.runInTransaction(inPermission);
  }
  return inPermission();
}
