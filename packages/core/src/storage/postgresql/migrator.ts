// Schema creation and upgrades (Kinto's `migrator.py` MigratorMixin, settings.md §6
// `kinto migrate`): a backend declares its schema, its version and its migrations; the
// installed version is read from the `metadata` table. `kinto start` only checks: it
// refuses a missing, older or newer schema with a message saying what to do.
import { StartupError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { PostgresClient } from './client.js';

export interface MigrateOptions {
  dryRun?: boolean;
  log?: Pick<Logger, 'info' | 'warn'>;
}

/** A backend `kinto migrate` can create or upgrade. */
export interface Migratable {
  migrate(options?: MigrateOptions): Promise<void>;
}

export function isMigratable(backend: unknown): backend is Migratable {
  return typeof (backend as Partial<Migratable> | null)?.migrate === 'function';
}

export interface SchemaDefinition {
  /** `storage`, `permission`, `cache`: named in messages and in `metadata` (`<name>_schema_version`). */
  name: string;
  version: number;
  schema: string;
  /** SQL upgrading from the key version to the next one. */
  migrations: Readonly<Record<number, string>>;
  /** The installed version, or null when nothing is installed. */
  installedVersion(client: PostgresClient): Promise<number | null>;
}

/** Serialises concurrent `kinto migrate` runs on one database (several processes starting at once). */
const MIGRATION_LOCK = 'SELECT pg_advisory_lock(hashtext($1))';
const MIGRATION_UNLOCK = 'SELECT pg_advisory_unlock(hashtext($1))';

/** Reads `<name>_schema_version` from `metadata`, the highest when several were recorded. */
export async function metadataVersion(client: PostgresClient, name: string): Promise<number | null> {
  const table = await client.direct(`SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'metadata'`);
  if (table.rowCount === 0) return null;
  const result = await client.direct<{ version: string }>(
    `SELECT value AS version FROM metadata WHERE name = $1 ORDER BY LPAD(value, 3, '0') DESC LIMIT 1`,
    [`${name}_schema_version`],
  );
  return result.rowCount ? Number(result.rows[0]!.version) : null;
}

export async function tableExists(client: PostgresClient, name: string): Promise<boolean> {
  const result = await client.direct(
    `SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`,
    [name],
  );
  return (result.rowCount ?? 0) > 0;
}

function where(client: PostgresClient): string {
  return `PostgreSQL ${client.label}`;
}

/** Start-up check: the installed schema must be exactly the one this version serves. */
export async function checkSchema(client: PostgresClient, definition: SchemaDefinition): Promise<void> {
  const installed = await definition.installedVersion(client);
  const { name, version } = definition;
  if (installed === null) {
    throw new StartupError(
      'KINTO_ERR_MIGRATION',
      `no Kinto ${name} schema in ${where(client)}: run \`kinto migrate --ini <file>\` to create it`,
    );
  }
  if (installed < version) {
    throw new StartupError(
      'KINTO_ERR_MIGRATION',
      `the ${name} schema in ${where(client)} is at version ${installed}, this server needs version ${version}: run \`kinto migrate --ini <file>\``,
    );
  }
  if (installed > version) {
    throw new StartupError(
      'KINTO_ERR_MIGRATION',
      `the ${name} schema in ${where(client)} is at version ${installed}, newer than version ${version} served by this kinto-ts: upgrade kinto-ts`,
    );
  }
}

/** Creates the schema, or applies each migration from the installed version (each in its own transaction). */
export async function migrateSchema(client: PostgresClient, definition: SchemaDefinition, options: MigrateOptions = {}): Promise<void> {
  const { name, version } = definition;
  const log = options.log;
  const lockKey = 'kinto-ts migrate';
  await client.session(async (connection) => {
    await connection.query(MIGRATION_LOCK, [lockKey]);
    try {
      const installed = await definition.installedVersion(client);
      if (installed === null) {
        log?.info(`Create PostgreSQL ${name} schema at version ${version}.`);
        if (!options.dryRun) {
          await runScript(connection, definition.schema);
          log?.info(`Created PostgreSQL ${name} schema (version ${version}).`);
        }
        return;
      }
      log?.info(`Detected PostgreSQL ${name} schema version ${installed}.`);
      if (installed === version) {
        log?.info(`PostgreSQL ${name} schema is up-to-date.`);
        return;
      }
      if (installed > version) {
        throw new StartupError(
          'KINTO_ERR_MIGRATION',
          `the ${name} schema in ${where(client)} is at version ${installed}, newer than version ${version} known to this kinto-ts: upgrade kinto-ts`,
        );
      }
      for (let from = installed; from < version; from++) {
        const sql = definition.migrations[from];
        if (sql === undefined) {
          throw new StartupError(
            'KINTO_ERR_MIGRATION',
            `cannot migrate the ${name} schema from version ${from}: upgrade it with Python Kinto first, then run \`kinto migrate\``,
          );
        }
        log?.info(`Migrate PostgreSQL ${name} schema from version ${from} to ${from + 1}.`);
        if (!options.dryRun) await runScript(connection, sql);
      }
      log?.info(`PostgreSQL ${name} schema migration ${options.dryRun ? 'simulated' : 'done'}.`);
    } finally {
      await connection.query(MIGRATION_UNLOCK, [lockKey]).catch(() => undefined);
    }
  });
}

/** A whole SQL file in one transaction: a failed migration leaves the previous version intact. */
async function runScript(connection: { query(sql: string): Promise<unknown> }, sql: string): Promise<void> {
  await connection.query('BEGIN');
  try {
    await connection.query(sql);
    await connection.query('COMMIT');
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
