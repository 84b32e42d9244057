#!/usr/bin/env node
// `pnpm bench`: builds the packages (the servers measured run the build, as
// `kinto start` does in production), then runs the benchmark driver — TypeScript,
// through tsx, reusing the plugins' test fixtures. `--no-build` skips the build;
// `--code sources` measures the sources through tsx instead. When the build fails,
// the driver falls back to the sources and says so in the report.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const root = fileURLToPath(new URL('..', import.meta.url));
const wantsSources = args.some((a, i) => a === '--code=sources' || (a === '--code' && args[i + 1] === 'sources'));
const driverArgs = args.filter((a) => a !== '--no-build');
if (!args.includes('--no-build') && !wantsSources && !args.includes('--help')) {
  console.log('building the packages (pnpm run build)…');
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
  if (build.status === 0) driverArgs.push('--just-built');
  else console.warn('the build failed: the bench measures the sources through tsx');
}

const main = fileURLToPath(new URL('./src/main.ts', import.meta.url));
const child = spawn(process.execPath, ['--conditions=source', '--import', import.meta.resolve('tsx'), main, ...driverArgs], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
