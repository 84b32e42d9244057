// The settings of the core (settings.md §3), with Kinto's effective defaults.
import type { SettingsSpec } from './schema.js';

const nullableInt = (def: number | null = null, description?: string) =>
  ({ type: ['integer', 'null'] as const, default: def, description });
const str = (def = '', description?: string) => ({ type: 'string', default: def, description }) as const;
const bool = (def: boolean, description?: string) => ({ type: 'boolean', default: def, description }) as const;
const list = (def: string[] | null = null, description?: string) =>
  ({ type: 'array', items: { type: 'string' }, default: def ?? [], description }) as const;

export const CORE_SETTINGS = {
  // Backends (§3.1)
  storage_backend: str('kinto.core.storage.memory', 'Storage backend module.'),
  storage_url: str(),
  storage_max_fetch_size: { type: 'integer', default: 10000, minimum: 1 },
  storage_pool_size: { type: 'integer', default: 25, minimum: 1 },
  storage_max_overflow: { type: 'integer', default: 5 },
  storage_pool_recycle: { type: 'integer', default: -1 },
  storage_pool_timeout: { type: 'number', default: 30 },
  storage_max_backlog: { type: 'integer', default: -1 },
  permission_backend: str('kinto.core.permission.memory', 'Permission backend module.'),
  permission_url: str(),
  permission_pool_size: { type: 'integer', default: 25, minimum: 1 },
  permission_max_overflow: { type: 'integer', default: 5 },
  permission_pool_recycle: { type: 'integer', default: -1 },
  permission_pool_timeout: { type: 'number', default: 30 },
  permission_max_backlog: { type: 'integer', default: -1 },
  cache_backend: str('kinto.core.cache.memory', 'Cache backend module.'),
  cache_url: str(),
  cache_hosts: str(),
  cache_prefix: str(),
  cache_max_size_bytes: { type: 'integer', default: 524288, minimum: 1024 },
  cache_pool_size: { type: 'integer', default: 25, minimum: 1 },
  cache_max_overflow: { type: 'integer', default: 5 },
  cache_pool_recycle: { type: 'integer', default: -1 },
  cache_pool_timeout: { type: 'number', default: 30 },
  cache_max_backlog: { type: 'integer', default: -1 },
  transaction_per_request: bool(true),

  // Authentication (§3.2)
  userid_hmac_secret: str(),
  default_bucket_hmac_secret: str(),
  'multiauth.policies': list(),
  'multiauth.policy.basicauth.use': str('kinto.core.authentication.BasicAuthAuthenticationPolicy'),
  'multiauth.authorization_policy': str('kinto.authorization.AuthorizationPolicy'),
  'multiauth.groupfinder': str('kinto.core.authorization.groupfinder'),

  // Permissions granted by settings (§3.3); other `<resource>_<perm>_principals` are read dynamically.
  bucket_create_principals: list(['system.Authenticated']),
  permissions_read_principals: list(['system.Everyone']),
  explicit_permissions: { type: 'boolean', default: true, public: true },

  // Features (§3.4)
  readonly: { type: 'boolean', default: false, public: true },
  batch_max_requests: { type: ['integer', 'null'], default: 25, minimum: 0, public: true },
  experimental_collection_schema_validation: bool(false),
  experimental_permissions_endpoint: bool(false),
  heartbeat_timeout_seconds: { type: 'number', default: 10, minimum: 0 },
  bucket_id_generator: str('kinto.views.NameGenerator'),
  collection_id_generator: str('kinto.views.NameGenerator'),
  group_id_generator: str('kinto.views.NameGenerator'),
  record_id_generator: str('kinto.views.RelaxedUUID'),
  id_generator: str('kinto.core.storage.generators.UUID4'),

  // Pagination (§3.5)
  paginate_by: { type: ['integer', 'null'], default: null, minimum: 1 },
  pagination_token_validity_seconds: { type: 'integer', default: 600, minimum: 1 },

  // URLs (§3.6)
  http_scheme: { type: ['string', 'null'], default: null },
  http_host: { type: ['string', 'null'], default: null },
  version_prefix_redirect_enabled: bool(true),
  version_prefix_redirect_ttl_seconds: { type: 'integer', default: -1 },
  trailing_slash_redirect_enabled: bool(true),
  trailing_slash_redirect_ttl_seconds: { type: 'integer', default: 3600 },

  // Client cache headers (§3.7)
  root_cache_expires_seconds: { type: 'integer', default: 86400 },

  // Backoff, end of service (§3.8)
  backoff: nullableInt(),
  backoff_percentage: { type: ['number', 'null'], default: null, minimum: 0, maximum: 100 },
  retry_after_seconds: { type: 'integer', default: 3, minimum: 0 },
  eos: { type: ['string', 'null'], default: null },
  eos_message: { type: ['string', 'null'], default: null },
  eos_url: { type: ['string', 'null'], default: null },

  // Project information (§3.9)
  project_name: str('kinto'),
  project_version: str(''),
  http_api_version: str('1.23'),
  project_docs: str('https://kinto.readthedocs.io/'),
  version_json_path: str('version.json'),
  error_info_link: str('https://github.com/Kinto/kinto/issues/'),

  // CORS (§3.10)
  cors_origins: list(['*']),
  cors_max_age_seconds: nullableInt(3600),

  // Plugins (§4)
  includes: list(),
  event_listeners: list(),

  // kinto-ts: request limits (kinto-api.md §11.4, §13).
  max_request_body_bytes: { type: 'integer', default: 10485760, minimum: 1024, description: 'kinto-ts: larger bodies get 413 errno 113.' },
  max_json_depth: { type: 'integer', default: 256, minimum: 2, description: 'kinto-ts: deeper JSON bodies get 400.' },

  // Server (the `[server:main]` section and `kinto start` flags land here too).
  host: str('127.0.0.1'),
  port: { type: 'integer', default: 8888, minimum: 0, maximum: 65535 },
  log_level: { type: 'string', default: 'info', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  lean_heap: bool(true, 'kinto-ts: servers started from an .ini keep the V8 heap close to its live size (server/src/heap.ts).'),
} satisfies SettingsSpec;

export interface CoreSettings {
  storage_backend: string;
  storage_url: string;
  storage_max_fetch_size: number;
  storage_pool_size: number;
  storage_max_overflow: number;
  storage_pool_recycle: number;
  storage_pool_timeout: number;
  storage_max_backlog: number;
  permission_backend: string;
  permission_url: string;
  permission_pool_size: number;
  permission_max_overflow: number;
  permission_pool_recycle: number;
  permission_pool_timeout: number;
  permission_max_backlog: number;
  cache_backend: string;
  cache_url: string;
  cache_hosts: string;
  cache_prefix: string;
  cache_max_size_bytes: number;
  cache_pool_size: number;
  cache_max_overflow: number;
  cache_pool_recycle: number;
  cache_pool_timeout: number;
  cache_max_backlog: number;
  transaction_per_request: boolean;
  userid_hmac_secret: string;
  default_bucket_hmac_secret: string;
  'multiauth.policies': string[];
  'multiauth.policy.basicauth.use': string;
  'multiauth.authorization_policy': string;
  'multiauth.groupfinder': string;
  bucket_create_principals: string[];
  permissions_read_principals: string[];
  explicit_permissions: boolean;
  readonly: boolean;
  batch_max_requests: number | null;
  experimental_collection_schema_validation: boolean;
  experimental_permissions_endpoint: boolean;
  heartbeat_timeout_seconds: number;
  bucket_id_generator: string;
  collection_id_generator: string;
  group_id_generator: string;
  record_id_generator: string;
  id_generator: string;
  paginate_by: number | null;
  pagination_token_validity_seconds: number;
  http_scheme: string | null;
  http_host: string | null;
  version_prefix_redirect_enabled: boolean;
  version_prefix_redirect_ttl_seconds: number;
  trailing_slash_redirect_enabled: boolean;
  trailing_slash_redirect_ttl_seconds: number;
  root_cache_expires_seconds: number;
  backoff: number | null;
  backoff_percentage: number | null;
  retry_after_seconds: number;
  eos: string | null;
  eos_message: string | null;
  eos_url: string | null;
  project_name: string;
  project_version: string;
  http_api_version: string;
  project_docs: string;
  version_json_path: string;
  error_info_link: string;
  cors_origins: string[];
  cors_max_age_seconds: number | null;
  includes: string[];
  event_listeners: string[];
  max_request_body_bytes: number;
  max_json_depth: number;
  host: string;
  port: number;
  log_level: string;
  lean_heap: boolean;
}
