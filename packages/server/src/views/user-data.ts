// `DELETE /v1/__user_data__/{principal}` (kinto-api.md §10.7): removes what a principal
// owns alone (objects whose `write` ACE is only them, cascading), and the principal
// from every other ACE and every group. Allowed to `user-data_delete_principals`.
import type { FastifyRequest } from 'fastify';
import {
  contextFor,
  deleteObjects,
  denied,
  isGranted,
  notifyChanges,
  ObjectNotFoundError,
  parentIdOf,
  resourceCatalog,
  withResourceEvents,
  type Identity,
  type ResourceHost,
} from '@kinto-ts/core';

async function removeFromGroups(host: ResourceHost, request: FastifyRequest, identity: Identity, principal: string): Promise<void> {
  const catalog = resourceCatalog(host);
  for (const groupUri of await host.permission.getUserPrincipals(principal)) {
    const match = catalog.match(groupUri);
    if (!match || match.name !== 'group') continue;
    const context = contextFor(host, request, identity, 'group', match.ids);
    try {
      const group = await host.storage.get('group', context.parentId, match.ids.group_id!);
      const members = Array.isArray(group.members) ? group.members : [];
      const updated = await host.storage.update('group', context.parentId, group.id, {
        ...group,
        members: members.filter((m) => m !== principal),
      });
      await notifyChanges(context, 'update', [{ action: 'update', new: updated, old: group }]);
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError)) throw error;
    }
    await host.permission.removeUserPrincipal(principal, groupUri);
  }
}

export function registerUserData(host: ResourceHost): void {
  const catalog = resourceCatalog(host);
  host.service({
    name: 'user-data',
    path: '/__user_data__/:principal',
    checkAccept: true,
    methods: {
      DELETE: async (request) => {
        const identity = await host.authenticate(request);
        const check = { settings: host.settings, permission: host.permission, resource: 'user-data', principals: identity.principals };
        if (!(await isGranted(check, [['', 'delete']]))) throw denied(identity, host.challenges());
        const principal = (request.params as { principal: string }).principal;
        await withResourceEvents(host, request, true, async () => {
          const accessible = await host.permission.getAccessibleObjects([principal]);
          // Parents first: their cascades remove the children before we reach them.
          const uris = Object.keys(accessible).sort((a, b) => a.length - b.length);
          for (const uri of uris) {
            const perms = accessible[uri]!;
            const writers = perms.includes('write') ? await host.permission.getObjectPermissionPrincipals(uri, 'write') : [];
            const match = catalog.match(uri);
            const definition = match && catalog.get(match.name);
            if (match && definition && writers.length === 1 && writers[0] === principal) {
              const context = contextFor(host, request, identity, match.name, match.ids);
              try {
                const object = await host.storage.get(match.name, parentIdOf(catalog, definition, match.ids), match.ids[`${match.name}_id`]!);
                await deleteObjects(context, [object]);
                continue;
              } catch (error) {
                if (!(error instanceof ObjectNotFoundError)) throw error;
              }
            }
            for (const perm of perms) await host.permission.removePrincipalFromAce(uri, perm, principal);
          }
          await removeFromGroups(host, request, identity, principal);
        });
        return { data: { principal } };
      },
    },
  });
}
