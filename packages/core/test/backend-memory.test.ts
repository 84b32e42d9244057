// The shared backend suites against the memory backends (STYLE §2).
import { test } from 'node:test';
import { MemoryCache } from '../src/cache/memory.js';
import { MemoryPermission } from '../src/permission/memory.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { cacheSuite, permissionSuite, storageSuite } from '../src/testing/index.js';

storageSuite(test, () => new MemoryStorage());
permissionSuite(test, () => new MemoryPermission());
cacheSuite(test, ({ prefix }) => new MemoryCache({ maxSizeBytes: 1 << 20, prefix }));
