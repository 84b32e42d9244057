// The `account` resource (kinto-api.md B4): `/accounts` and `/accounts/{id}`, each
// account stored in its own list (parent id = the username) so that a user's list is
// their account alone, while administrators (`account_write_principals`) reach every
// account. Passwords are stored as bcrypt hashes; the hash is what reads return.
import {
  asList,
  ERRORS,
  invalidParameter,
  invalidParameters,
  isPlainObject,
  KintoError,
  pyStr,
  registerResource,
  resourceCatalog,
  type IdGenerator,
  type ResourceContext,
  type ResourceHost,
} from '@kinto-ts/core';
import { ACCOUNT_ID_PATTERN, ACCOUNT_POLICY_NAME, type AccountVerifier } from './authentication.js';
import { hashPassword, MAX_PASSWORD_BYTES, passwordTooLong } from './passwords.js';
import type { AccountsSettings } from './settings.js';

// POST without `data.id`: Kinto never generates account ids. The empty id is refused by
// the validator below, after the data schema, as Kinto's `process_object` does.
const accountIds: IdGenerator = { regexp: ACCOUNT_ID_PATTERN, generate: () => '' };

function isAdministrator(host: ResourceHost, context: ResourceContext): boolean {
  const admins = asList(host.settings.get('account_write_principals'));
  return admins.some((p) => context.identity.principals.includes(p));
}

function isAnonymous(context: ResourceContext): boolean {
  return context.identity.userId === null;
}

/** Python's `request.selected_userid`: the user id without its policy prefix. */
function selectedUserId(context: ResourceContext): string {
  const userId = context.identity.userId ?? '';
  return userId.slice(userId.indexOf(':') + 1);
}

/** `data.id` of a POST body (`_extract_posted_body_id`): required for anonymous and admin creations. */
function postedId(context: ResourceContext): string {
  const body = context.request.body;
  const id = isPlainObject(body) && isPlainObject(body.data) ? body.data.id : undefined;
  if (context.request.method === 'POST') {
    if (id === undefined) throw invalidParameter('body', 'data.id', 'data.id in body: Required');
    if (typeof id !== 'string') throw invalidParameter('path', null, 'Invalid object id');
    return id;
  }
  // Anonymous GET, HEAD or DELETE of the list (Kinto: 401 with this `error`, errno 999).
  throw new KintoError(401, { errno: ERRORS.UNDEFINED, error: 'Cannot read accounts.' });
}

function validateAccountData(data: Record<string, unknown>): Record<string, unknown> {
  const password = data.password;
  if (password === undefined || password === null || password === '') {
    throw invalidParameter('body', 'data.password', 'Required');
  }
  if (typeof password !== 'string') {
    throw invalidParameters([{ location: 'body', name: 'data.password', description: `${pyStr(password)} is not a string: {'password': ''}` }]);
  }
  return data;
}

export function registerAccounts(host: ResourceHost, settings: Readonly<AccountsSettings>, verifier: AccountVerifier): void {
  const catalog = resourceCatalog(host);
  // kinto/plugins/accounts/__init__.py: PERMISSIONS_INHERITANCE_TREE (kinto-api.md §7.2).
  catalog.inherit('account', {
    write: { account: ['write'] },
    read: { account: ['write', 'read'] },
  });

  catalog.addValidator('account', async (context, object, old) => {
    if (object.id === '') throw invalidParameter('body', 'data.id', 'Accounts must have an ID.');
    const password = object.password as string;
    // Hash what the request changed; an unchanged value is the stored hash (PATCH without password).
    if (old === null || password !== old.password) {
      if (passwordTooLong(password)) {
        throw invalidParameter('body', 'data.password', `Longer than maximum length ${MAX_PASSWORD_BYTES} bytes`);
      }
      object = { ...object, password: await hashPassword(password, settings.account_bcrypt_rounds) };
    }
    if (!isAnonymous(context) && !isAdministrator(host, context) && object.id !== selectedUserId(context)) {
      throw invalidParameter('body', 'data.id', 'Username and account ID do not match.');
    }
    return object;
  });

  registerResource(host, {
    name: 'account',
    pluralPath: '/accounts',
    permissions: ['read', 'write'],
    idGenerator: accountIds,
    validateData: validateAccountData,
    // Outside of its own endpoints (`/__user_data__`), an account is found under its own id.
    parentId: (ids) => ids.account_id ?? '',
    // Kinto's `Account.get_parent_id`.
    requestParentId(context) {
      const plural = context.ids.account_id === undefined;
      if (isAdministrator(host, context)) {
        if (!plural) return context.ids.account_id ?? '';
        return context.request.method === 'POST' ? postedId(context) : '*';
      }
      if (!isAnonymous(context)) return selectedUserId(context);
      if (context.ids.account_id !== undefined) return context.ids.account_id;
      return postedId(context);
    },
    objectParentId: (object) => object.id,
    // Accounts created anonymously or by an admin belong to themselves.
    writerPrincipal(context) {
      if (isAnonymous(context) || isAdministrator(host, context)) return `${ACCOUNT_POLICY_NAME}:${context.parentId}`;
      return context.identity.userId!;
    },
    async afterWrite(_context, changes) {
      // A changed or deleted account must log in again with bcrypt (kinto-api.md B4).
      for (const change of changes) if (change.old) await verifier.forget(change.old.id);
    },
  });
}
