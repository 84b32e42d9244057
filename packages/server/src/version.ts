import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The server package version (hello `project_version` unless the setting overrides it). */
export const VERSION: string = pkg.version;
