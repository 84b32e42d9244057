// Entry point of the `kinto-fxa` binary.
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kinto-fxa: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
