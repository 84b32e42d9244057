// Start-up checks of the accounts plugin (kinto-api.md B4, settings.md §5.6): a
// misconfiguration that would let the wrong people create or read accounts stops
// the server instead of surfacing later as confusing 401/403 answers.
import { asList, EVERYONE, StartupError, type Settings } from '@kinto-ts/core';
import { POLICY_NAMES } from './authentication.js';

const DOCS_URL = 'https://kinto.readthedocs.io/en/stable/api/1.x/accounts.html';

function isAccountsPolicy(use: unknown): boolean {
  if (typeof use !== 'string') return false;
  return (
    (POLICY_NAMES as readonly string[]).includes(use) || use.endsWith('AccountsPolicy') || use.endsWith('AccountsAuthenticationPolicy')
  );
}

/** The names under which the accounts policy is defined (`multiauth.policy.<name>.use`). */
export function accountsPolicyNames(settings: Settings): string[] {
  const names: string[] = [];
  for (const key of settings.keys()) {
    const match = /^multiauth\.policy\.(.+)\.use$/.exec(key);
    if (match && isAccountsPolicy(settings.get(key))) names.push(match[1]!);
  }
  return names;
}

export function checkAccountsConfiguration(settings: Settings): void {
  const where = settings.iniPath ? ` (${settings.iniPath})` : '';
  const names = accountsPolicyNames(settings);
  if (names.length === 0) {
    throw new StartupError(
      'KINTO_ERR_POLICY',
      `Account policy missing the 'multiauth.policy.*.use' setting${where}: add ` +
        `'multiauth.policy.account.use = kinto.plugins.accounts.AccountsPolicy'. See AccountsPolicy in docs ${DOCS_URL}.`,
    );
  }
  // Basic credentials of an account would otherwise become a `basicauth:` user id.
  const policies = settings.core['multiauth.policies'];
  const basic = policies.indexOf('basicauth');
  for (const name of names) {
    const index = policies.indexOf(name);
    if (basic >= 0 && index >= 0 && basic < index) {
      throw new StartupError('KINTO_ERR_POLICY', `'basicauth' should not be mentioned before '${name}' in 'multiauth.policies' setting${where}.`);
    }
  }
  // Whoever may create accounts for others must be an administrator (account_write_principals).
  const creators = asList(settings.get('account_create_principals'));
  const admins = new Set(asList(settings.get('account_write_principals')));
  const orphans = [...new Set(creators)].filter((p) => p !== EVERYONE && !admins.has(p));
  if (orphans.length > 0) {
    throw new StartupError(
      'KINTO_ERR_SETTING',
      'Configuration has some principals in account_create_principals but not in account_write_principals' +
        `${where}. These principals will only be able to create their own accounts. This may not be what you want. ` +
        'If you want these users to be able to create accounts for other users, add them to account_write_principals. ' +
        `Affected users: ${orphans.join(', ')}`,
    );
  }
}
