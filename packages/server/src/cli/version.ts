// `kinto version`: prints the version followed by a newline.
import { VERSION } from '../version.js';
import type { Command } from './index.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the Kinto version.',
  usage: '',
  async run(context) {
    context.stdout.write(`${VERSION}\n`);
    return 0;
  },
};
