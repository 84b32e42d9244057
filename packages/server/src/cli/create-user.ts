// `kinto create-user` (settings.md §6): creates or overwrites an account with a
// bcrypt password and gives `account:<username>` write on it, straight in the
// configured backends (as Python's `create_user`, no server needed). Prompts for
// what is missing; exit 51 readonly, 52 accounts plugin absent, 53 input aborted.
import { createBackends, loadSettingsFromIni, runInTransaction } from '@kinto-ts/core';
import { closeBackends } from './backends.js';
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ACCOUNT_ID_PATTERN, AccountVerifier } from '../plugins/accounts/authentication.js';
import { hashPassword, MAX_PASSWORD_BYTES, passwordTooLong } from '../plugins/accounts/passwords.js';
import { ACCOUNTS_PLUGIN_NAMES, accountsSettings } from '../plugins/accounts/settings.js';
import type { Command, CommandContext } from './index.js';

class Aborted extends Error {}

/** Line input from stdin; echo is muted while a password is typed on a terminal. */
class Prompter {
  private readonly rl: Interface;
  private muted = false;
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private closed = false;

  constructor(private readonly context: CommandContext) {
    const echo = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (!this.muted) context.stdout.write(chunk);
        done();
      },
    });
    this.rl = createInterface({ input: process.stdin, output: echo, terminal: Boolean(process.stdin.isTTY) });
    this.rl.on('line', (line) => this.push(line));
    this.rl.on('close', () => {
      this.closed = true;
      this.push(null);
    });
  }

  private push(line: string | null): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve(line);
    } else if (line !== null) {
      this.lines.push(line);
    }
  }

  async ask(question: string, secret = false): Promise<string> {
    this.context.stdout.write(question);
    this.muted = secret;
    try {
      const buffered = this.lines.shift();
      const line = buffered ?? (this.closed ? null : await new Promise<string | null>((resolve) => (this.waiting = resolve)));
      if (line === null) throw new Aborted();
      return line;
    } finally {
      this.muted = false;
      if (secret) this.context.stdout.write('\n');
    }
  }

  close(): void {
    this.rl.close();
  }
}

async function readCredentials(context: CommandContext): Promise<{ username: string; password: string }> {
  let username = context.values.username as string | undefined;
  let password = context.values.password as string | undefined;
  if (username !== undefined && ACCOUNT_ID_PATTERN.test(username) && password !== undefined) return { username, password };
  const prompter = new Prompter(context);
  try {
    username ??= await prompter.ask('Username: ');
    while (!ACCOUNT_ID_PATTERN.test(username)) {
      context.stdout.write(`${username} is not a valid username.\nUsername should match ${ACCOUNT_ID_PATTERN.source}, please try again.\n`);
      username = await prompter.ask('Username: ');
    }
    while (password === undefined) {
      const first = await prompter.ask(`Please enter a password for ${username}: `, true);
      const confirm = await prompter.ask('Please confirm the password: ', true);
      if (first !== confirm) context.stdout.write('Sorry, passwords do not match, please try again.\n');
      else password = first;
    }
    return { username, password };
  } finally {
    prompter.close();
  }
}

export const createUserCommand: Command = {
  name: 'create-user',
  summary: 'Create a user account (or reset its password).',
  usage: '[--ini FILE] [-u USERNAME] [-p PASSWORD]',
  options: {
    username: { type: 'string', short: 'u' },
    password: { type: 'string', short: 'p' },
  },
  async run(context) {
    const settings = loadSettingsFromIni(context.ini);
    if (settings.core.readonly) {
      context.stderr.write('Cannot create a user with a readonly server.\n');
      return 51;
    }
    if (!settings.core.includes.some((name) => ACCOUNTS_PLUGIN_NAMES.includes(name))) {
      context.stderr.write('Cannot create a user when the accounts plugin is not installed.\n');
      return 52;
    }
    const accounts = accountsSettings(settings);
    let credentials;
    try {
      credentials = await readCredentials(context);
    } catch (error) {
      if (!(error instanceof Aborted)) throw error;
      context.stdout.write('User creation aborted\n');
      return 53;
    }
    const { username, password } = credentials;
    if (password === '' || passwordTooLong(password)) {
      context.stderr.write(`The password must be between 1 and ${MAX_PASSWORD_BYTES} bytes long.\n`);
      return 2;
    }
    context.stdout.write(`Creating user '${username}'\n`);
    // Backend warnings only, on stderr: stdout is the conversation with the user.
    const log = pino({ level: context.logLevel === 'debug' ? 'debug' : 'warn' }, pino.destination(2));
    const backends = await createBackends({ settings, log });
    try {
      await Promise.all([backends.storage.initialize(), backends.permission.initialize(), backends.cache.initialize()]);
      const hash = await hashPassword(password, accounts.account_bcrypt_rounds);
      await runInTransaction(backends, async () => {
        await backends.storage.update('account', username, username, { id: username, password: hash });
        await backends.permission.addPrincipalToAce(`/accounts/${username}`, 'write', `account:${username}`);
      });
      // A running server must not keep accepting the previous password from its cache.
      const verifier = new AccountVerifier({
        storage: backends.storage,
        cache: backends.cache,
        log,
        secret: settings.core.userid_hmac_secret,
        ttlSeconds: accounts.account_cache_ttl_seconds,
      });
      await verifier.forget(username);
    } finally {
      await closeBackends(backends);
    }
    return 0;
  },
};
