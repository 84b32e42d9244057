// The machine a run measured, named next to its figures (issue #9 item 3).
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  date: string;
  nproc: number;
  cpuModel: string;
  totalMemoryBytes: number;
  node: string;
  platform: string;
  commit: string;
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    // Only code changes make the figures differ from the commit's (docs, such as the table this run writes, do not).
    const status = execFileSync('git', ['status', '--porcelain', '--', 'packages', 'plugins', 'bench', 'package.json', 'pnpm-lock.yaml'], {
      encoding: 'utf8',
    });
    const dirty = status.trim() !== '';
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: commit(),
  };
}
