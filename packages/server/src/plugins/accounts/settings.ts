// Settings of the accounts plugin (settings.md §3.13). The `account_*_principals`
// keys are read by the authorization policy like every `<resource>_<perm>_principals`.
import type { Settings, SettingsSpec } from '@kinto-ts/core';
import { DEFAULT_ROUNDS } from './passwords.js';

export interface AccountsSettings {
  account_cache_ttl_seconds: number;
  account_bcrypt_rounds: number;
  account_create_principals: string[];
  account_read_principals: string[];
  account_write_principals: string[];
}

const principals = (description: string) => ({ type: 'array', items: { type: 'string' }, default: [], description }) as const;

export const ACCOUNTS_SETTINGS = {
  account_cache_ttl_seconds: {
    type: 'integer',
    default: 30,
    minimum: 0,
    description: 'How long a verified password is remembered (0: bcrypt on every request).',
  },
  account_bcrypt_rounds: {
    type: 'integer',
    default: DEFAULT_ROUNDS,
    minimum: 4,
    maximum: 31,
    description: 'kinto-ts: bcrypt cost of new password hashes (Python Kinto: 12).',
  },
  account_create_principals: principals('Who may create accounts (system.Everyone: sign-up).'),
  account_read_principals: principals('Who may read every account.'),
  account_write_principals: principals('Administrators: who may read, change and delete every account.'),
} satisfies SettingsSpec;

/** Typed, validated accounts settings (environment overrides apply). */
export function accountsSettings(settings: Settings): Readonly<AccountsSettings> {
  return settings.define<AccountsSettings>(ACCOUNTS_SETTINGS);
}

/** The names of the accounts plugin in `kinto.includes`. */
export const ACCOUNTS_PLUGIN_NAMES = ['kinto.plugins.accounts', '@kinto-ts/server/accounts', 'accounts'];
