// The `kinto` command (settings.md §6): `kinto <subcommand> [options]`.
// Each subcommand is a file of this folder registered in COMMANDS.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StartupError } from '@kinto-ts/core';
import { createUserCommand } from './create-user.js';
import { flushCacheCommand } from './flush-cache.js';
import { initCommand } from './init.js';
import { migrateCommand } from './migrate.js';
import { purgeDeletedCommand } from './purge-deleted.js';
import { startCommand } from './start.js';
import { versionCommand } from './version.js';

export interface CommandContext {
  /** `--ini`, defaulting to `$KINTO_INI` or `config/kinto.ini`. */
  ini: string;
  /** pino level from `-q`/`-v`. */
  logLevel: 'fatal' | 'info' | 'debug';
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Command {
  name: string;
  summary: string;
  usage?: string;
  options?: ParseArgsConfig['options'];
  /** Resolves to the exit status. */
  run(context: CommandContext): Promise<number>;
}

export const COMMANDS: Command[] = [startCommand, initCommand, versionCommand, createUserCommand, migrateCommand, flushCacheCommand, purgeDeletedCommand];

const COMMON_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ini: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(16)}${c.summary}`);
  return [
    'usage: kinto <subcommand> [--ini FILE] [-q | -v] [options]',
    '',
    'Kinto (kinto-ts): a JSON storage and permission server.',
    '',
    'subcommands:',
    ...lines,
    '',
    'common options:',
    '  --ini FILE      configuration file (default: $KINTO_INI or config/kinto.ini)',
    '  -q, --quiet     only critical log messages',
    '  -v, --debug     debug log messages',
    '  -h, --help      show help',
    '',
    'Run `kinto <subcommand> --help` for the options of a subcommand.',
  ].join('\n');
}

function commandUsage(command: Command): string {
  return `usage: kinto ${command.name} ${command.usage ?? '[--ini FILE]'}\n\n${command.summary}\n`;
}

export async function main(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(`${usage()}\n\nkinto: error: the following arguments are required: subcommand\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (name === '--version') return versionCommand.run({ ini: '', logLevel: 'info', values: {}, positionals: [], ...io });
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`${usage()}\n\nkinto: error: invalid choice: '${name}'\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr.write(`${commandUsage(command)}\nkinto ${command.name}: error: ${(error as Error).message}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(commandUsage(command));
    return 0;
  }
  const values = parsed.values as CommandContext['values'];
  const context: CommandContext = {
    ini: (values.ini as string | undefined) ?? process.env.KINTO_INI ?? 'config/kinto.ini',
    logLevel: values.quiet ? 'fatal' : values.debug ? 'debug' : 'info',
    values,
    positionals: parsed.positionals,
    ...io,
  };
  try {
    return await command.run(context);
  } catch (error) {
    if (error instanceof StartupError) {
      io.stderr.write(`kinto: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
