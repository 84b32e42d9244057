// Kinto's PostgreSQL storage schema, reproduced so that `kinto migrate` creates exactly
// the tables, functions, trigger and indexes of Python Kinto 26.3.1
// (`kinto/core/storage/postgresql/schema.sql`, storage schema version 26) and an
// existing Kinto database is served as it is. MIGRATIONS upgrades older schemas step by
// step, as Kinto's `migrations/migration_0NN_0MM.sql` files do; each records its version
// in `metadata`. The list timestamp rules live in the `bump_timestamp` trigger
// (kinto-api.md §5.1).
import { metadataVersion, tableExists, type SchemaDefinition } from './migrator.js';

export const STORAGE_SCHEMA_VERSION = 26;

/** Older schemas than this are refused: migrate them with Python Kinto ≥ 10 first. */
export const STORAGE_OLDEST_MIGRATABLE = 18;

const BUMP_TIMESTAMP_V26 = `
DROP TRIGGER IF EXISTS tgr_objects_last_modified ON objects;

CREATE OR REPLACE FUNCTION bump_timestamp()
RETURNS trigger AS $$
DECLARE
    previous BIGINT;
    current BIGINT;
BEGIN
    previous := NULL;
    WITH existing_timestamps AS (
      -- Timestamp of latest record.
      (
        SELECT last_modified
        FROM objects
        WHERE parent_id = NEW.parent_id
          AND resource_name = NEW.resource_name
        ORDER BY last_modified DESC
        LIMIT 1
      )
      -- Timestamp when resource was empty.
      UNION
      (
        SELECT last_modified
        FROM timestamps
        WHERE parent_id = NEW.parent_id
          AND resource_name = NEW.resource_name
      )
    )
    SELECT as_epoch(MAX(last_modified)) INTO previous
      FROM existing_timestamps;

    --
    -- This bumps the current timestamp to 1 msec in the future if the previous
    -- timestamp is equal to the current one (or higher if was bumped already).
    --
    -- If a bunch of requests from the same user on the same resource
    -- arrive in the same millisecond, the unicity constraint can raise
    -- an error (operation is cancelled).
    -- See https://github.com/mozilla-services/cliquet/issues/25
    --
    current := as_epoch(clock_timestamp()::TIMESTAMP);
    IF previous IS NOT NULL AND previous >= current THEN
        current := previous + 1;
    END IF;

    IF NEW.last_modified IS NULL OR
       (previous IS NOT NULL AND as_epoch(NEW.last_modified) = previous) THEN
        -- If record does not carry last-modified, or if the one specified
        -- is equal to previous, assign it to current (i.e. bump it).
        NEW.last_modified := from_epoch(current);
    END IF;

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tgr_objects_last_modified
BEFORE INSERT OR UPDATE OF data ON objects
FOR EACH ROW EXECUTE PROCEDURE bump_timestamp();
`;

/** `schema.sql` at storage schema version 26. */
export const STORAGE_SCHEMA = `
--
-- Automated script, we do not need NOTICE and WARNING
--
SET client_min_messages TO ERROR;
--
-- Convert timestamps to milliseconds epoch integer
--
CREATE OR REPLACE FUNCTION as_epoch(ts TIMESTAMP) RETURNS BIGINT AS $$
BEGIN
    RETURN (EXTRACT(EPOCH FROM ts) * 1000)::BIGINT;
END;
$$ LANGUAGE plpgsql
IMMUTABLE;

CREATE OR REPLACE FUNCTION from_epoch(epoch BIGINT) RETURNS TIMESTAMP AS $$
BEGIN
    RETURN TIMESTAMP WITH TIME ZONE 'epoch' + epoch * INTERVAL '1 millisecond';
END;
$$ LANGUAGE plpgsql
IMMUTABLE;

--
-- Actual objects
--
CREATE TABLE IF NOT EXISTS objects (
    -- These are all IDs stored as text, and not human language.
    -- Therefore, we store them in the C collation. This lets Postgres
    -- use the index on parent_id for prefix matching (parent_id LIKE
    -- '/buckets/abc/%').
    id TEXT COLLATE "C" NOT NULL,
    parent_id TEXT COLLATE "C" NOT NULL,
    resource_name TEXT COLLATE "C" NOT NULL,

    -- Timestamp is relevant because adequate semantically.
    -- Since the HTTP API manipulates integers, it could make sense
    -- to replace the timestamp columns type by integer.
    last_modified TIMESTAMP NOT NULL,

    -- JSONB, 2x faster than JSON.
    data JSONB NOT NULL DEFAULT '{}'::JSONB,

    deleted BOOLEAN NOT NULL,

    PRIMARY KEY (id, parent_id, resource_name)
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_objects_parent_id_resource_name_last_modified
    ON objects(parent_id, resource_name, last_modified DESC);
CREATE INDEX IF NOT EXISTS idx_objects_last_modified_epoch
    ON objects(as_epoch(last_modified));
CREATE INDEX IF NOT EXISTS idx_objects_resource_name_parent_id_deleted
    ON objects(resource_name, parent_id, deleted);
CREATE INDEX IF NOT EXISTS idx_objects_history_userid_and_resourcename
    ON objects ((data->'user_id'), (data->'resource_name'))
    WHERE resource_name = 'history';
CREATE INDEX IF NOT EXISTS idx_objects_parent_id_record_last_modified
    ON objects (parent_id, last_modified DESC)
    WHERE resource_name = 'record';

CREATE TABLE IF NOT EXISTS timestamps (
  parent_id TEXT COLLATE "C" NOT NULL,
  resource_name TEXT COLLATE "C" NOT NULL,
  last_modified TIMESTAMP NOT NULL,
  PRIMARY KEY (parent_id, resource_name)
);

--
-- Triggers to set last_modified on INSERT/UPDATE
--
${BUMP_TIMESTAMP_V26}
--
-- Metadata table
--
CREATE TABLE IF NOT EXISTS metadata (
    name VARCHAR(128) NOT NULL,
    value VARCHAR(512) NOT NULL
);
INSERT INTO metadata (name, value) VALUES ('created_at', NOW()::TEXT);

-- Set storage schema version.
-- Should match \`kinto.core.storage.postgresql.PostgreSQL.schema_version\`
INSERT INTO metadata (name, value) VALUES ('storage_schema_version', '${STORAGE_SCHEMA_VERSION}');
`;

const bumpVersion = (version: number) => `
-- Bump storage schema version.
INSERT INTO metadata (name, value) VALUES ('storage_schema_version', '${version}');
`;

/** `migration_<from>_<from+1>.sql`, keyed by `from`. */
export const STORAGE_MIGRATIONS: Readonly<Record<number, string>> = {
  18: `
-- Alter collation to C to improve LIKE-prefix queries in delete_all.
ALTER TABLE records
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN parent_id TYPE TEXT COLLATE "C",
    ALTER COLUMN collection_id TYPE TEXT COLLATE "C";
${bumpVersion(19)}`,
  19: `
-- Alter collation to C to improve LIKE-prefix queries in delete_all.
ALTER TABLE timestamps
    ALTER COLUMN parent_id TYPE TEXT COLLATE "C",
    ALTER COLUMN collection_id TYPE TEXT COLLATE "C";
${bumpVersion(20)}`,
  20: `
ALTER TABLE records RENAME COLUMN collection_id TO resource_name;
ALTER TABLE records RENAME TO objects;
ALTER TABLE timestamps RENAME COLUMN collection_id TO resource_name;
ALTER INDEX idx_records_parent_id_collection_id_last_modified RENAME TO idx_objects_parent_id_resource_name_last_modified;
ALTER INDEX idx_records_last_modified_epoch RENAME TO idx_objects_last_modified_epoch;

DROP TRIGGER IF EXISTS tgr_records_last_modified ON objects;
${BUMP_TIMESTAMP_V26.replace('DROP TRIGGER IF EXISTS tgr_objects_last_modified ON objects;', '')}
${bumpVersion(21)}`,
  // Versions 21 → 22 and 25 → 26 only rewrote bump_timestamp(); the final body is the same trigger.
  21: `${BUMP_TIMESTAMP_V26}${bumpVersion(22)}`,
  22: `
CREATE INDEX IF NOT EXISTS idx_objects_resource_name_parent_id_deleted
    ON objects(resource_name, parent_id, deleted);
${bumpVersion(23)}`,
  23: `
CREATE INDEX IF NOT EXISTS idx_objects_history_userid_and_resourcename
  ON objects ((data->'user_id'), (data->'resource_name'))
  WHERE resource_name = 'history';
${bumpVersion(24)}`,
  24: `
CREATE INDEX IF NOT EXISTS idx_objects_parent_id_record_last_modified
    ON objects (parent_id, last_modified DESC)
    WHERE resource_name = 'record';
${bumpVersion(25)}`,
  25: `
-- Update bump_timestamp trigger to use raw last_modified in ORDER BY
-- instead of as_epoch(last_modified), enabling composite index usage.
${BUMP_TIMESTAMP_V26}${bumpVersion(26)}`,
};

/** The schema Kinto's storage backend declares (version detection of `get_installed_version`). */
export const STORAGE_SCHEMA_DEFINITION: SchemaDefinition = {
  name: 'storage',
  version: STORAGE_SCHEMA_VERSION,
  schema: STORAGE_SCHEMA,
  migrations: STORAGE_MIGRATIONS,
  async installedVersion(client) {
    const objects = await tableExists(client, 'objects');
    const records = await tableExists(client, 'records');
    if (!objects && !records) return null;
    const version = await metadataVersion(client, 'storage');
    if (version !== null) return version;
    // Kinto: no version row but `created_at` → a Cliquet-era schema; nothing at all → flushed before 8.1.2 (version 20).
    const created = await client.direct(`SELECT 1 FROM metadata WHERE name = 'created_at'`).catch(() => ({ rowCount: 0 }));
    return created.rowCount ? 1 : 20;
  },
};
