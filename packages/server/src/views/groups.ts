// Groups (kinto-api.md §3.3, §7.3): their URI is a principal of every member.
import { EVERYONE, invalidParameters, registerResource, resourceCatalog, type ResourceHost } from '@kinto-ts/core';
import { fieldErrors, type ValidationDetail } from '@kinto-ts/core';

function validateMembers(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidParameters([fieldErrors.notIterable('data.members', value)]);
  const details: ValidationDetail[] = [];
  value.forEach((member: unknown, i) => {
    const name = `data.members.${i}`;
    if (typeof member !== 'string') details.push(fieldErrors.notString(name, member));
    // Groups cannot contain groups nor everyone (§7.3).
    else if (member.startsWith('/buckets/') || member === EVERYONE) {
      details.push({ location: 'body', name, description: `'${member}' is not a valid user ID.` });
    }
  });
  if (details.length > 0) throw invalidParameters(details);
  return value as string[];
}

function members(object: Record<string, unknown> | undefined): Set<string> {
  const list = object?.members;
  return new Set(Array.isArray(list) ? list.filter((m): m is string => typeof m === 'string') : []);
}

export function registerGroups(host: ResourceHost): void {
  resourceCatalog(host).inherit('group', {
    write: { bucket: ['write'], group: ['write'] },
    read: { bucket: ['write', 'read'], group: ['write', 'read'] },
  });
  registerResource(host, {
    name: 'group',
    pluralPath: '/buckets/:bucket_id/groups',
    parent: 'bucket',
    permissions: ['read', 'write'],
    validateData: (data) => ({ ...data, members: validateMembers(data.members) }),
    async afterWrite(context, changes) {
      const { permission } = host;
      for (const change of changes) {
        const uri = context.objectUri(change.new.id);
        const before = members(change.old);
        const after = change.action === 'delete' ? new Set<string>() : members(change.new);
        for (const m of before) if (!after.has(m)) await permission.removeUserPrincipal(m, uri);
        for (const m of after) if (!before.has(m)) await permission.addUserPrincipal(m, uri);
        if (change.action === 'delete') await permission.removePrincipal(uri);
      }
    },
  });
}
