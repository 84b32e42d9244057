// PostgreSQL permission backend (Kinto's `kinto.core.permission.postgresql`) on Kinto's
// tables `access_control_entries` and `user_principals`. When `permission_url` is the
// `storage_url`, both backends share one connection pool and one request transaction
// (../../storage/postgresql/client.ts): an object and its ACL are written together.
import type { Acl, Permission } from '../index.js';
import { PostgresClient, type PostgresOptions } from '../../storage/postgresql/client.js';
import {
  checkSchema,
  metadataVersion,
  migrateSchema,
  tableExists,
  type Migratable,
  type MigrateOptions,
  type SchemaDefinition,
} from '../../storage/postgresql/migrator.js';
import { likePattern } from '../../storage/postgresql/query.js';
import { PERMISSION_MIGRATIONS, PERMISSION_SCHEMA, PERMISSION_SCHEMA_VERSION } from './schema.js';

/** Kinto's `get_installed_version`: tables without a version row are the pre-8.1.2 schema (version 1). */
export const PERMISSION_SCHEMA_DEFINITION: SchemaDefinition = {
  name: 'permission',
  version: PERMISSION_SCHEMA_VERSION,
  schema: PERMISSION_SCHEMA,
  migrations: PERMISSION_MIGRATIONS,
  async installedVersion(client) {
    const version = await metadataVersion(client, 'permission');
    if (version !== null) return version;
    return (await tableExists(client, 'user_principals')) ? 1 : null;
  },
};

type AceRow = { object_id: string; permission: string; principal: string };

export class PostgreSQLPermission implements Permission, Migratable {
  readonly client: PostgresClient;

  constructor(options: PostgresOptions) {
    this.client = PostgresClient.shared(options);
  }

  async initialize(): Promise<void> {
    await checkSchema(this.client, PERMISSION_SCHEMA_DEFINITION);
  }

  async migrate(options?: MigrateOptions): Promise<void> {
    await migrateSchema(this.client, PERMISSION_SCHEMA_DEFINITION, options);
  }

  runInTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.client.runInTransaction(fn);
  }

  heartbeat(): Promise<boolean> {
    return this.client.probe(
      `INSERT INTO access_control_entries (object_id, permission, principal)
       VALUES ('__heartbeat__', 'read', 'system.Everyone') ON CONFLICT DO NOTHING`,
    );
  }

  async flush(): Promise<void> {
    await this.client.query('DELETE FROM user_principals; DELETE FROM access_control_entries;');
  }

  private closed = false;

  /** Releases this backend's share of the pool (once: closing twice must not end a pool others use). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.release();
  }

  async addUserPrincipal(userId: string, principal: string): Promise<void> {
    await this.client.query('INSERT INTO user_principals (user_id, principal) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, principal]);
  }

  async removeUserPrincipal(userId: string, principal: string): Promise<void> {
    await this.client.query('DELETE FROM user_principals WHERE user_id = $1 AND principal = $2', [userId, principal]);
  }

  async removePrincipal(principal: string): Promise<void> {
    await this.client.query('DELETE FROM user_principals WHERE principal = $1', [principal]);
  }

  async getUserPrincipals(userId: string): Promise<string[]> {
    const result = await this.client.query<{ principal: string }>('SELECT principal FROM user_principals WHERE user_id = $1', [userId]);
    return result.rows.map((r) => r.principal);
  }

  async getUsersPrincipals(userIds: readonly string[]): Promise<string[]> {
    const result = await this.client.query<{ principal: string }>('SELECT DISTINCT principal FROM user_principals WHERE user_id = ANY($1::text[])', [
      [...userIds],
    ]);
    return result.rows.map((r) => r.principal);
  }

  async addPrincipalToAce(objectId: string, permission: string, principal: string): Promise<void> {
    await this.client.query(
      'INSERT INTO access_control_entries (object_id, permission, principal) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [objectId, permission, principal],
    );
  }

  async removePrincipalFromAce(objectId: string, permission: string, principal: string): Promise<void> {
    await this.client.query('DELETE FROM access_control_entries WHERE object_id = $1 AND permission = $2 AND principal = $3', [
      objectId,
      permission,
      principal,
    ]);
  }

  async getObjectPermissionPrincipals(objectId: string, permission: string): Promise<string[]> {
    const result = await this.client.query<{ principal: string }>(
      'SELECT principal FROM access_control_entries WHERE object_id = $1 AND permission = $2',
      [objectId, permission],
    );
    return result.rows.map((r) => r.principal);
  }

  async getAccessibleObjects(
    principals: string[],
    boundPermissions?: Array<[string, string]>,
    options: { withChildren?: boolean } = {},
  ): Promise<Record<string, string[]>> {
    if (principals.length === 0 || boundPermissions?.length === 0) return {};
    let result;
    if (!boundPermissions) {
      result = await this.client.query<AceRow>(
        'SELECT DISTINCT object_id, permission FROM access_control_entries WHERE principal = ANY($1::text[])',
        [principals],
      );
    } else {
      // `*` in a bound object id matches any run of characters (memory backend's wildcardRegExp).
      const patterns = boundPermissions.map(([pattern]) => likePattern(options.withChildren ? `${pattern}*` : pattern, false));
      result = await this.client.query<AceRow>(
        `SELECT DISTINCT ace.object_id, ace.permission
           FROM access_control_entries AS ace
           JOIN unnest($2::text[], $3::text[]) AS bound(pattern, permission)
             ON ace.permission = bound.permission AND ace.object_id LIKE bound.pattern
          WHERE ace.principal = ANY($1::text[])`,
        [principals, patterns, boundPermissions.map(([, permission]) => permission)],
      );
    }
    const out: Record<string, string[]> = {};
    for (const row of result.rows) (out[row.object_id] ??= []).push(row.permission);
    return out;
  }

  async getAuthorizedPrincipals(boundPermissions: Array<[string, string]>): Promise<string[]> {
    if (boundPermissions.length === 0) return [];
    const result = await this.client.query<{ principal: string }>(
      `SELECT DISTINCT ace.principal
         FROM access_control_entries AS ace
         JOIN unnest($1::text[], $2::text[]) AS bound(object_id, permission)
           ON ace.object_id = bound.object_id AND ace.permission = bound.permission`,
      [boundPermissions.map(([objectId]) => objectId), boundPermissions.map(([, permission]) => permission)],
    );
    return result.rows.map((r) => r.principal);
  }

  async getObjectsPermissions(objectIds: string[], permissions?: string[]): Promise<Acl[]> {
    if (objectIds.length === 0) return [];
    const params: unknown[] = [objectIds];
    let sql = 'SELECT object_id, permission, principal FROM access_control_entries WHERE object_id = ANY($1::text[])';
    if (permissions) {
      params.push(permissions);
      sql += ' AND permission = ANY($2::text[])';
    }
    const result = await this.client.query<AceRow>(sql, params);
    const byId = new Map<string, Acl>();
    for (const row of result.rows) {
      let acl = byId.get(row.object_id);
      if (!acl) byId.set(row.object_id, (acl = {}));
      (acl[row.permission] ??= []).push(row.principal);
    }
    return objectIds.map((id) => ({ ...(byId.get(id) ?? {}) }));
  }

  async getObjectPermissions(objectId: string, permissions?: string[]): Promise<Acl> {
    const [acl] = await this.getObjectsPermissions([objectId], permissions);
    return acl ?? {};
  }

  async replaceObjectPermissions(objectId: string, acl: Acl): Promise<void> {
    const replaced = Object.keys(acl);
    if (replaced.length === 0) return;
    const pairs = Object.entries(acl).flatMap(([permission, principals]) => [...new Set(principals)].map((p) => [permission, p] as const));
    await this.client.withTransaction(async () => {
      await this.client.query('DELETE FROM access_control_entries WHERE object_id = $1 AND permission = ANY($2::text[])', [objectId, replaced]);
      if (pairs.length === 0) return;
      await this.client.query(
        `INSERT INTO access_control_entries (object_id, permission, principal)
         SELECT $1, permission, principal FROM unnest($2::text[], $3::text[]) AS ace(permission, principal)
         ON CONFLICT DO NOTHING`,
        [objectId, pairs.map(([permission]) => permission), pairs.map(([, principal]) => principal)],
      );
    });
  }

  async deleteObjectPermissions(...objectIds: string[]): Promise<void> {
    const exact = objectIds.filter((id) => !id.includes('*'));
    const patterns = objectIds.filter((id) => id.includes('*')).map((id) => likePattern(id, false));
    if (exact.length) await this.client.query('DELETE FROM access_control_entries WHERE object_id = ANY($1::text[])', [exact]);
    // One pattern at a time: `LIKE $1` on the C-collated column is an index prefix scan, `LIKE ANY` is not.
    for (const pattern of patterns) await this.client.query('DELETE FROM access_control_entries WHERE object_id LIKE $1', [pattern]);
  }
}
