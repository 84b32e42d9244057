#!/usr/bin/env node
// Runs a package's tests with node:test. TypeScript is loaded through tsx and
// workspace packages resolve to their sources (the "source" export condition),
// so tests never depend on a previous build.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = process.cwd();
const found = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) found.push(path);
  }
}
const filter = process.argv.slice(2);
walk(join(root, 'test'));
const files = found.sort().filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error(`no test files in ${root}/test`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit', env: { ...process.env } },
);
process.exit(result.status ?? 1);
