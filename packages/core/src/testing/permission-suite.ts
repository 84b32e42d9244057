// The permission backend suite (STYLE §2, Kinto's `kinto/core/permission/testing.py`):
// ACEs, user principals, accessible objects with bound patterns, authorized principals,
// ACL replacement and wildcard deletions, run once per backend.
//
//   permissionSuite(test, async () => new MemoryPermission());
import assert from 'node:assert/strict';
import type { Permission } from '../permission/index.js';
import { withBackend, type SuiteOptions, type TestFunction } from './storage-suite.js';

export type PermissionFactory = () => Permission | Promise<Permission>;

const sorted = (values: string[]) => [...values].sort();
const normalize = (map: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sorted(v)]));

export function permissionSuite(test: TestFunction, factory: PermissionFactory, options: SuiteOptions = {}): void {
  const it = (name: string, body: (permission: Permission) => Promise<void>) =>
    test(`permission: ${name}`, { skip: options.skip ?? false }, withBackend(factory, body));

  it('answers its heartbeat', async (permission) => {
    assert.equal(await permission.heartbeat(), true);
  });

  it('a generation, when it has one, changes on every write and on nothing else', async (permission) => {
    if (permission.generation === undefined) return;
    const writes: Array<[string, () => Promise<void>]> = [
      ['addUserPrincipal', () => permission.addUserPrincipal('basicauth:alice', '/buckets/b/groups/g')],
      ['removeUserPrincipal', () => permission.removeUserPrincipal('basicauth:alice', '/buckets/b/groups/g')],
      ['removePrincipal', () => permission.removePrincipal('/buckets/b/groups/g')],
      ['addPrincipalToAce', () => permission.addPrincipalToAce('/buckets/b', 'read', 'basicauth:alice')],
      ['removePrincipalFromAce', () => permission.removePrincipalFromAce('/buckets/b', 'read', 'basicauth:alice')],
      ['replaceObjectPermissions', () => permission.replaceObjectPermissions('/buckets/b', { read: ['basicauth:bob'] })],
      ['deleteObjectPermissions', () => permission.deleteObjectPermissions('/buckets/b')],
      ['flush', () => permission.flush()],
    ];
    for (const [name, write] of writes) {
      const before = permission.generation;
      await write();
      assert.notEqual(permission.generation, before, name);
    }
    const before = permission.generation;
    await permission.getUserPrincipals('basicauth:alice');
    await permission.getObjectPermissions('/buckets/b');
    await permission.getAuthorizedPrincipals([['/buckets/b', 'read']]);
    assert.equal(permission.generation, before, 'reads change nothing');
  });

  it('adds and removes user principals, idempotently', async (permission) => {
    await permission.addUserPrincipal('basicauth:alice', '/buckets/b/groups/g1');
    await permission.addUserPrincipal('basicauth:alice', '/buckets/b/groups/g1');
    await permission.addUserPrincipal('basicauth:alice', '/buckets/b/groups/g2');
    await permission.addUserPrincipal('basicauth:bob', '/buckets/b/groups/g1');
    assert.deepEqual(sorted(await permission.getUserPrincipals('basicauth:alice')), ['/buckets/b/groups/g1', '/buckets/b/groups/g2']);
    await permission.removeUserPrincipal('basicauth:alice', '/buckets/b/groups/g2');
    await permission.removeUserPrincipal('basicauth:alice', '/buckets/b/groups/unknown');
    assert.deepEqual(await permission.getUserPrincipals('basicauth:alice'), ['/buckets/b/groups/g1']);
    assert.deepEqual(await permission.getUserPrincipals('basicauth:nobody'), []);
    // Several users at once: the union, each principal once.
    await permission.addUserPrincipal('system.Authenticated', '/buckets/b/groups/g1');
    await permission.addUserPrincipal('system.Authenticated', '/buckets/b/groups/all');
    if (permission.getUsersPrincipals) {
      assert.deepEqual(sorted(await permission.getUsersPrincipals(['basicauth:alice', 'system.Authenticated'])), [
        '/buckets/b/groups/all',
        '/buckets/b/groups/g1',
      ]);
      assert.deepEqual(sorted(await permission.getUsersPrincipals(['basicauth:nobody', 'basicauth:bob'])), ['/buckets/b/groups/g1']);
      assert.deepEqual(await permission.getUsersPrincipals(['basicauth:nobody']), []);
    }
  });

  it('removes a principal from every user (a deleted group)', async (permission) => {
    await permission.addUserPrincipal('basicauth:alice', '/buckets/b/groups/g1');
    await permission.addUserPrincipal('basicauth:bob', '/buckets/b/groups/g1');
    await permission.addUserPrincipal('basicauth:bob', '/buckets/b/groups/g2');
    await permission.removePrincipal('/buckets/b/groups/g1');
    assert.deepEqual(await permission.getUserPrincipals('basicauth:alice'), []);
    assert.deepEqual(await permission.getUserPrincipals('basicauth:bob'), ['/buckets/b/groups/g2']);
  });

  it('adds and removes principals of access control entries', async (permission) => {
    await permission.addPrincipalToAce('/buckets/b', 'write', 'basicauth:alice');
    await permission.addPrincipalToAce('/buckets/b', 'write', 'basicauth:alice');
    await permission.addPrincipalToAce('/buckets/b', 'write', 'system.Authenticated');
    await permission.addPrincipalToAce('/buckets/b', 'read', 'system.Everyone');
    assert.deepEqual(sorted(await permission.getObjectPermissionPrincipals('/buckets/b', 'write')), ['basicauth:alice', 'system.Authenticated']);
    await permission.removePrincipalFromAce('/buckets/b', 'write', 'basicauth:alice');
    assert.deepEqual(await permission.getObjectPermissionPrincipals('/buckets/b', 'write'), ['system.Authenticated']);
    assert.deepEqual(await permission.getObjectPermissionPrincipals('/buckets/other', 'write'), []);
  });

  it('reads the ACLs of several objects in order, restricted to some permissions', async (permission) => {
    await permission.replaceObjectPermissions('/buckets/a', { write: ['u1'], read: ['u2', 'u3'] });
    await permission.replaceObjectPermissions('/buckets/c', { read: ['u4'] });
    const acls = await permission.getObjectsPermissions(['/buckets/c', '/buckets/none', '/buckets/a']);
    assert.deepEqual(acls.map((acl) => Object.fromEntries(Object.entries(acl).map(([k, v]) => [k, sorted(v)]))), [
      { read: ['u4'] },
      {},
      { read: ['u2', 'u3'], write: ['u1'] },
    ]);
    assert.deepEqual(await permission.getObjectPermissions('/buckets/a', ['write']), { write: ['u1'] });
    assert.deepEqual(await permission.getObjectsPermissions([]), []);
  });

  it('replaces the listed permissions of an object, leaving the others alone', async (permission) => {
    await permission.replaceObjectPermissions('/buckets/b', { write: ['u1'], read: ['u2'] });
    await permission.replaceObjectPermissions('/buckets/b', { write: ['u3', 'u3', 'u4'] });
    assert.deepEqual(normalize(await permission.getObjectPermissions('/buckets/b')), { read: ['u2'], write: ['u3', 'u4'] });
    await permission.replaceObjectPermissions('/buckets/b', { read: [] });
    assert.deepEqual(normalize(await permission.getObjectPermissions('/buckets/b')), { write: ['u3', 'u4'] });
    await permission.replaceObjectPermissions('/buckets/b', {});
    assert.deepEqual(normalize(await permission.getObjectPermissions('/buckets/b')), { write: ['u3', 'u4'] });
  });

  it('lists the objects a set of principals can access', async (permission) => {
    await permission.addPrincipalToAce('/buckets/b1', 'write', 'alice');
    await permission.addPrincipalToAce('/buckets/b1', 'read', 'group');
    await permission.addPrincipalToAce('/buckets/b2/collections/c1', 'read', 'alice');
    await permission.addPrincipalToAce('/buckets/b3', 'read', 'bob');
    assert.deepEqual(normalize(await permission.getAccessibleObjects(['alice', 'group'])), {
      '/buckets/b1': ['read', 'write'],
      '/buckets/b2/collections/c1': ['read'],
    });
    assert.deepEqual(await permission.getAccessibleObjects([]), {});
    assert.deepEqual(await permission.getAccessibleObjects(['alice'], []), {});
  });

  it('restricts accessible objects to bound (pattern, permission) pairs, `*` matching any run', async (permission) => {
    await permission.addPrincipalToAce('/buckets/b1', 'write', 'alice');
    await permission.addPrincipalToAce('/buckets/b1/collections/c1', 'read', 'alice');
    await permission.addPrincipalToAce('/buckets/b1/collections/c2', 'write', 'alice');
    await permission.addPrincipalToAce('/buckets/b2/collections/c1', 'read', 'alice');
    await permission.addPrincipalToAce('/buckets/b1/collections/c1/records/r1', 'read', 'alice');
    const bound: Array<[string, string]> = [
      ['/buckets/b1/collections/*', 'read'],
      ['/buckets/b1', 'write'],
    ];
    assert.deepEqual(normalize(await permission.getAccessibleObjects(['alice'], bound)), {
      '/buckets/b1': ['write'],
      '/buckets/b1/collections/c1': ['read'],
      '/buckets/b1/collections/c1/records/r1': ['read'],
    });
    assert.deepEqual(normalize(await permission.getAccessibleObjects(['alice'], [['/buckets/b1', 'read']], { withChildren: true })), {
      '/buckets/b1/collections/c1': ['read'],
      '/buckets/b1/collections/c1/records/r1': ['read'],
    });
    assert.deepEqual(await permission.getAccessibleObjects(['alice'], [['/buckets/b_', 'write']]), {});
  });

  it('lists the principals holding any of the given (object, permission) pairs', async (permission) => {
    await permission.addPrincipalToAce('/buckets/b1', 'write', 'alice');
    await permission.addPrincipalToAce('/buckets/b1/collections/c1', 'write', 'bob');
    await permission.addPrincipalToAce('/buckets/b1/collections/c1', 'read', 'carol');
    const principals = await permission.getAuthorizedPrincipals([
      ['/buckets/b1', 'write'],
      ['/buckets/b1/collections/c1', 'write'],
      ['/buckets/b1/collections/c1', 'write'],
    ]);
    assert.deepEqual(sorted(principals), ['alice', 'bob']);
    assert.deepEqual(await permission.getAuthorizedPrincipals([]), []);
  });

  it('deletes the ACLs of objects, `*` ids matching whole subtrees and nothing else', async (permission) => {
    for (const id of ['/buckets/b1', '/buckets/b1/collections/c1', '/buckets/b1/collections/c2', '/buckets/b10/collections/c1', '/buckets/b_']) {
      await permission.addPrincipalToAce(id, 'write', 'alice');
    }
    await permission.deleteObjectPermissions('/buckets/b1/*');
    assert.deepEqual(Object.keys(await permission.getAccessibleObjects(['alice'])).sort(), ['/buckets/b1', '/buckets/b10/collections/c1', '/buckets/b_']);
    await permission.deleteObjectPermissions('/buckets/b1', '/buckets/bx');
    await permission.deleteObjectPermissions();
    assert.deepEqual(Object.keys(await permission.getAccessibleObjects(['alice'])).sort(), ['/buckets/b10/collections/c1', '/buckets/b_']);
  });

  it('flushes everything', async (permission) => {
    await permission.addPrincipalToAce('/buckets/b1', 'write', 'alice');
    await permission.addUserPrincipal('alice', 'g');
    await permission.flush();
    assert.deepEqual(await permission.getAccessibleObjects(['alice']), {});
    assert.deepEqual(await permission.getUserPrincipals('alice'), []);
  });
}
