// Per-provider settings (openid.md §2, beyond.md items 1, 4, 9): read once at
// start-up through the core's typed settings, so errors name the `.ini` key and
// environment overrides (`MULTIAUTH_POLICY_GOOGLE_CLIENT_SECRET`) apply.
import { StartupError, type Settings, type SettingsSpec } from '@kinto-ts/core';

/** Names under which the policy is registered; `use` values other than these never reach our factory. */
export const POLICY_NAMES = [
  'kinto.plugins.openid.OpenIDConnectPolicy',
  '@kinto-ts/openid',
  '@kinto-ts/openid.OpenIDConnectPolicy',
] as const;

export interface ProviderSettings {
  /** The name in `multiauth.policies`: user-id prefix and URL segment. */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  audience: string;
  headerType: string;
  useridField: string;
  verificationTtlSeconds: number;
  stateTtlSeconds: number;
  stateLength: number;
  realm: string;
  /** Host globs allowed as login callbacks; empty: any host (upstream behaviour, warned about). */
  authorizedDomains: string[];
  requireFragment: boolean;
  requireEmailVerified: boolean;
}

/** True when a `multiauth.policy.NAME.use` value designates this plugin's policy. */
export function isOpenIdPolicy(use: unknown): boolean {
  return typeof use === 'string' && (POLICY_NAMES as readonly string[]).includes(use);
}

/** Providers listed in `multiauth.policies` whose `use` is the OpenID policy, in that order (openid.md §1). */
export function enabledProviders(settings: Settings): string[] {
  return settings.core['multiauth.policies'].filter((name) => isOpenIdPolicy(settings.get(`multiauth.policy.${name}.use`)));
}

const text = (def: string) => ({ type: 'string', default: def }) as const;
const seconds = (def: number) => ({ type: 'integer', default: def, minimum: 1 }) as const;

function spec(name: string): SettingsSpec {
  const k = (option: string) => `multiauth.policy.${name}.${option}`;
  return {
    [k('issuer')]: text(''),
    [k('client_id')]: text(''),
    [k('client_secret')]: text(''),
    [k('audience')]: text(''),
    [k('header_type')]: text('Bearer'),
    [k('userid_field')]: text('sub'),
    [k('verification_ttl_seconds')]: seconds(86400),
    [k('state_ttl_seconds')]: seconds(3600),
    // Bytes; the hex state must fit the PostgreSQL cache key column (openid.md §2, #1566).
    [k('state_length')]: { type: 'integer', default: 32, minimum: 16, maximum: 64 },
    [k('realm')]: text('Realm'),
    [k('authorized_domains')]: { type: 'array', items: { type: 'string' }, default: [] },
    [k('require_fragment')]: { type: 'boolean', default: false },
    [k('require_email_verified')]: { type: 'boolean', default: false },
  };
}

/** Validates and returns the settings of provider `name`; throws a StartupError naming it. */
export function readProviderSettings(settings: Settings, name: string): ProviderSettings {
  const values = settings.define<Record<string, unknown>>(spec(name));
  const get = <T>(option: string) => values[`multiauth.policy.${name}.${option}`] as T;
  for (const required of ['issuer', 'client_id']) {
    if (get<string>(required).trim() === '') {
      throw new StartupError(
        'KINTO_ERR_SETTING',
        `OpenID provider '${name}': multiauth.policy.${name}.${required} is required` + (settings.iniPath ? ` in ${settings.iniPath}` : ''),
      );
    }
  }
  const headerType = get<string>('header_type').trim();
  if (headerType === '' || /\s/.test(headerType)) {
    throw new StartupError('KINTO_ERR_SETTING', `OpenID provider '${name}': multiauth.policy.${name}.header_type must be one word`);
  }
  return {
    name,
    issuer: get<string>('issuer').trim(),
    clientId: get<string>('client_id'),
    clientSecret: get<string>('client_secret'),
    audience: get<string>('audience'),
    headerType,
    useridField: get<string>('userid_field'),
    verificationTtlSeconds: get<number>('verification_ttl_seconds'),
    stateTtlSeconds: get<number>('state_ttl_seconds'),
    stateLength: get<number>('state_length'),
    realm: get<string>('realm'),
    authorizedDomains: get<string[]>('authorized_domains'),
    requireFragment: get<boolean>('require_fragment'),
    requireEmailVerified: get<boolean>('require_email_verified'),
  };
}
