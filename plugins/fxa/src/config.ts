// The `fxa-oauth.*` settings (fxa.md §2, §3): typed defaults through the core's
// settings loader, the deprecated `fxa-oauth.scope`, and the client configurations
// with their scope routing table. Configuration mistakes stop start-up.
import { StartupError, type Logger, type PluginApi, type Settings, type SettingsSpec } from '@kinto-ts/core';
import { normalizeScopes, splitScopes } from './scopes.js';

/** Production FxA, used by PyFxA when `oauth_uri` is unset (fxa.md §2). */
export const PRODUCTION_OAUTH_URI = 'https://oauth.accounts.firefox.com/v1';
export const DEFAULT_CLIENT = 'default';
const STATE_TTL_DEFAULT = 3600;

export const FXA_SETTINGS: SettingsSpec = {
  'fxa-oauth.oauth_uri': { type: ['string', 'null'], default: null },
  'fxa-oauth.client_id': { type: ['string', 'null'], default: null },
  'fxa-oauth.client_secret': { type: ['string', 'null'], default: null },
  'fxa-oauth.requested_scope': { type: 'string', default: 'profile' },
  'fxa-oauth.required_scope': { type: ['string', 'null'], default: null },
  'fxa-oauth.cache_ttl_seconds': { type: 'number', default: 300, minimum: 0 },
  'fxa-oauth.state.ttl_seconds': { type: 'number', default: STATE_TTL_DEFAULT, minimum: 0 },
  'fxa-oauth.heartbeat_timeout_seconds': { type: 'number', default: 3, minimum: 0 },
  'fxa-oauth.relier.enabled': { type: 'boolean', default: true },
  'fxa-oauth.webapp.authorized_domains': { type: 'array', items: { type: 'string' }, default: '' },
  // kinto-ts additions (beyond.md items 3, 12, 13, 15).
  'fxa-oauth.invalid_cache_ttl_seconds': { type: 'number', default: 30, minimum: 0 },
  'fxa-oauth.state.bind_cookie': { type: 'boolean', default: true },
  'fxa-oauth.webapp.require_fragment': { type: 'boolean', default: false },
  'fxa-oauth.request_timeout_seconds': { type: 'number', default: 30, minimum: 0 },
  'fxa-oauth.sqs.endpoint_url': { type: ['string', 'null'], default: null },
};

interface FxaSettings {
  'fxa-oauth.oauth_uri': string | null;
  'fxa-oauth.client_id': string | null;
  'fxa-oauth.client_secret': string | null;
  'fxa-oauth.requested_scope': string;
  'fxa-oauth.required_scope': string | null;
  'fxa-oauth.cache_ttl_seconds': number;
  'fxa-oauth.state.ttl_seconds': number;
  'fxa-oauth.heartbeat_timeout_seconds': number;
  'fxa-oauth.relier.enabled': boolean;
  'fxa-oauth.webapp.authorized_domains': string[];
  'fxa-oauth.invalid_cache_ttl_seconds': number;
  'fxa-oauth.state.bind_cookie': boolean;
  'fxa-oauth.webapp.require_fragment': boolean;
  'fxa-oauth.request_timeout_seconds': number;
  'fxa-oauth.sqs.endpoint_url': string | null;
}

export interface ClientConfig {
  name: string;
  clientId: string | null;
  /** Every `fxa-oauth.clients.NAME.KEY` (or `fxa-oauth.KEY` for the default client), unused beyond the routing. */
  values: Record<string, unknown>;
}

export interface RoutingEntry {
  /** The setting as written (`profile https://identity.mozilla.org/apps/notes`). */
  requiredScope: string;
  scopes: string[];
  client: string;
}

export interface FxaConfig {
  /** As configured (login redirect and `params` use it verbatim, fxa.md §9). */
  oauthUri: string | null;
  /** Server-to-server base: `oauth_uri` (or production) ending in `/v1` (fxa.md §2). */
  apiBase: string;
  clientId: string | null;
  clientSecret: string | null;
  requestedScopes: string[];
  requiredScope: string | null;
  cacheTtlSeconds: number;
  stateTtlSeconds: number;
  heartbeatTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  invalidCacheTtlSeconds: number;
  relierEnabled: boolean;
  bindStateCookie: boolean;
  /** Refuse login redirects without `#`, so tokens never travel in a query string (beyond.md item 4). */
  requireFragment: boolean;
  authorizedDomains: string[];
  sqsEndpointUrl: string | null;
  clients: Map<string, ClientConfig>;
  /** In configuration order (fxa.md §3): the first matching entry wins. */
  routing: RoutingEntry[];
}

const CLIENTS_PREFIX = 'fxa-oauth.clients.';
const CLIENT_NAME = /^[A-Za-z0-9_-]+$/;

function fail(settings: Settings, message: string): never {
  const where = settings.iniPath ? ` (in ${settings.iniPath})` : '';
  throw new StartupError('KINTO_ERR_SETTING', `kinto-fxa: ${message}${where}`);
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The API base PyFxA derives from `oauth_uri`: no trailing `/`, then `/v1` unless present. */
export function apiBaseOf(oauthUri: string | null): string {
  const base = (oauthUri ?? PRODUCTION_OAUTH_URI).replace(/\/+$/, '');
  return base.endsWith('/v1') ? base : `${base}/v1`;
}

/** Groups `fxa-oauth.*` keys by client and builds the routing table; throws on the errors of fxa.md §3. */
export function parseClients(
  settings: Settings,
  overrides: Record<string, unknown> = {},
): { clients: Map<string, ClientConfig>; routing: RoutingEntry[] } {
  const clients = new Map<string, ClientConfig>();
  const routing: RoutingEntry[] = [];
  const seen = new Map<string, string>();
  const keys = settings.keys().filter((k) => k.startsWith('fxa-oauth.'));
  for (const key of Object.keys(overrides)) if (!keys.includes(key)) keys.push(key);
  for (const key of keys) {
    const value = key in overrides ? overrides[key] : settings.get(key);
    let name = DEFAULT_CLIENT;
    let basename = key.slice('fxa-oauth.'.length);
    if (key.startsWith(CLIENTS_PREFIX)) {
      const parts = key.slice(CLIENTS_PREFIX.length).split('.');
      if (parts.length !== 2 || !CLIENT_NAME.test(parts[0]!) || parts[1] === '') {
        fail(settings, `invalid setting '${key}': expected fxa-oauth.clients.NAME.KEY with NAME made of letters, digits, '_' or '-'`);
      }
      [name, basename] = parts as [string, string];
      if (name === DEFAULT_CLIENT) fail(settings, `invalid setting '${key}': the client name 'default' is reserved`);
    }
    let client = clients.get(name);
    if (!client) {
      client = { name, clientId: null, values: {} };
      clients.set(name, client);
    }
    client.values[basename] = value;
    if (basename === 'client_id') client.clientId = text(value);
    if (basename !== 'required_scope' || value === null || value === undefined) continue;
    const required = text(value)!;
    if (splitScopes(required).length === 0) {
      // An empty scope list matches every FxA token of any relier (beyond.md item 10).
      fail(settings, `'${key}' is empty: every FxA token would be accepted; list the scopes a token must carry`);
    }
    const normalized = normalizeScopes(required);
    if (seen.has(normalized)) fail(settings, `${key}: ${required} is already required for another config.`);
    seen.set(normalized, name);
    routing.push({ requiredScope: required, scopes: splitScopes(required), client: name });
  }
  return { clients, routing };
}

/** Reads every `fxa-oauth.*` setting (fxa.md §1 steps 1–3). */
export function loadConfig(api: Pick<PluginApi, 'settings' | 'defineSettings'>, log: Logger): FxaConfig {
  const { settings } = api;
  // Read before the defaults are applied: `state.ttl_seconds` only counts when
  // explicitly set (fxa.md §9.2), and an empty `required_scope` would become null.
  const stateTtlExplicit = settings.has('fxa-oauth.state.ttl_seconds');
  const rawRequired = settings.get('fxa-oauth.required_scope');
  const typed = api.defineSettings<FxaSettings>(FXA_SETTINGS);

  const overrides: Record<string, unknown> = {};
  if (rawRequired !== undefined) overrides['fxa-oauth.required_scope'] = rawRequired;
  let requestedScope = typed['fxa-oauth.requested_scope'];
  const deprecated = settings.get('fxa-oauth.scope');
  if (deprecated !== undefined && deprecated !== null) {
    log.warn(
      '"fxa-oauth.scope" is now deprecated. Please use "fxa-oauth.requested_scope" and "fxa-oauth.required_scope" instead.',
    );
    requestedScope = text(deprecated)!;
    overrides['fxa-oauth.requested_scope'] = requestedScope;
    overrides['fxa-oauth.required_scope'] = requestedScope;
  }
  const { clients, routing } = parseClients(settings, overrides);

  const oauthUri = typed['fxa-oauth.oauth_uri'];
  if (oauthUri === null) {
    log.warn(`fxa-oauth.oauth_uri is not set: tokens will be verified by the production FxA server ${PRODUCTION_OAUTH_URI}`);
  }
  if (routing.length === 0) {
    log.warn('kinto-fxa: no required_scope configured: every FxA token will be rejected');
  }
  for (const entry of routing) {
    if (entry.scopes.every((s) => s === 'profile' || s.startsWith('profile:'))) {
      // beyond.md item 10: a token obtained by any relier carries `profile`.
      log.warn(`kinto-fxa: client '${entry.client}' only requires profile scopes: tokens of any FxA relier will be accepted`);
    }
  }
  const stateTtl = typed['fxa-oauth.state.ttl_seconds'];
  const requiredScope = text(overrides['fxa-oauth.required_scope'] ?? typed['fxa-oauth.required_scope']);
  return {
    oauthUri,
    apiBase: apiBaseOf(oauthUri),
    clientId: typed['fxa-oauth.client_id'],
    clientSecret: typed['fxa-oauth.client_secret'],
    requestedScopes: splitScopes(requestedScope),
    requiredScope,
    cacheTtlSeconds: typed['fxa-oauth.cache_ttl_seconds'],
    // An environment override of the default also counts as explicit.
    stateTtlSeconds:
      stateTtlExplicit || stateTtl !== STATE_TTL_DEFAULT ? stateTtl : typed['fxa-oauth.cache_ttl_seconds'],
    heartbeatTimeoutSeconds: typed['fxa-oauth.heartbeat_timeout_seconds'],
    requestTimeoutSeconds: typed['fxa-oauth.request_timeout_seconds'],
    invalidCacheTtlSeconds: typed['fxa-oauth.invalid_cache_ttl_seconds'],
    relierEnabled: typed['fxa-oauth.relier.enabled'],
    bindStateCookie: typed['fxa-oauth.state.bind_cookie'],
    requireFragment: typed['fxa-oauth.webapp.require_fragment'],
    authorizedDomains: typed['fxa-oauth.webapp.authorized_domains'],
    sqsEndpointUrl: typed['fxa-oauth.sqs.endpoint_url'],
    clients,
    routing,
  };
}
