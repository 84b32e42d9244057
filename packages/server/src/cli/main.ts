// Entry point of the `kinto` binary.
import { main } from './index.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kinto: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
