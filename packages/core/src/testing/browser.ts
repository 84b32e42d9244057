// Browser tests run Debian's Chromium (never a downloaded browser) through
// playwright-core. One place for its path, its flags and the skip/fail rule.
import { existsSync } from 'node:fs';

/** `/usr/bin/chromium` unless `CHROMIUM_PATH` says otherwise. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, no sandbox (root), and no background services: the machine's network is closed. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/**
 * The `skip` option of a browser test: false when Chromium is installed, a message
 * otherwise. Under `CI=true` a missing Chromium is a failure, not a skip.
 */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  const message = `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package to run the browser tests`;
  if (process.env.CI === 'true') throw new Error(message);
  return message;
}
