// `kinto.plugins.accounts` (kinto-api.md B4, settings.md §5.6): user accounts with
// bcrypt passwords, the `account` authentication policy and the `/accounts` resource.
import { definePlugin, type PluginApi } from '@kinto-ts/core';
import { accountsPolicy, AccountVerifier, POLICY_NAMES } from './authentication.js';
import { checkAccountsConfiguration } from './checks.js';
import { registerAccounts } from './resource.js';
import { accountsSettings } from './settings.js';

function includeme(api: PluginApi): void {
  const settings = accountsSettings(api.settings);
  checkAccountsConfiguration(api.settings);
  if (api.settings.core.storage_backend.endsWith('memory')) {
    api.log.warn('accounts: the storage backend is in memory, accounts will be lost when the server stops');
  }
  const verifier = new AccountVerifier({
    storage: api.storage,
    cache: api.cache,
    log: api.log,
    secret: api.settings.core.userid_hmac_secret,
    ttlSeconds: settings.account_cache_ttl_seconds,
  });
  api.addPolicy([...POLICY_NAMES], accountsPolicy(verifier));
  api.addCapability('accounts', {
    description: 'Manage user accounts.',
    url: 'https://kinto.readthedocs.io/en/latest/api/1.x/accounts.html',
    // Account validation by e-mail (Python's `account_validation`) is not implemented.
    validation_enabled: false,
  });
  registerAccounts(api, settings, verifier);
}

export const accountsPlugin = definePlugin({ name: '@kinto-ts/server/accounts', includeme });
export default accountsPlugin;
