// `--cpu-prof`: the Kinto servers write V8 CPU profiles (open them in Chrome
// DevTools), and the bench prints where each spent its time — the first look when
// a target is missed (issue #9).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROFILE_DIR = fileURLToPath(new URL('../results/profiles/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Self time per function (or per file), in percent of the busy samples (idle excluded), highest first. */
export function topFunctions(path: string, limit = 25, byFile = false): Array<{ share: number; where: string }> {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[] };
  const totals = new Map<string, number>();
  let all = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    // The server idles while the bench seeds, measures the ceiling or other servers.
    if (functionName === '(idle)') continue;
    const hits = node.hitCount ?? 0;
    all += hits;
    const file = url.startsWith('file://') ? relative(ROOT, fileURLToPath(url)) : url || '(native)';
    const key = byFile ? file.replace(/node_modules\/\.pnpm\/[^/]+\/node_modules\//, 'node_modules/') : `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + hits);
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([where, hits]) => ({ share: (hits / Math.max(all, 1)) * 100, where }));
}

export function printProfiles(): void {
  let files: string[] = [];
  try {
    files = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return;
  }
  for (const file of files) {
    console.log(`\n${relative(ROOT, join(PROFILE_DIR, file))}: self time`);
    for (const { share, where } of topFunctions(join(PROFILE_DIR, file))) console.log(`  ${share.toFixed(1).padStart(5)} %  ${where}`);
    console.log('  by file:');
    for (const { share, where } of topFunctions(join(PROFILE_DIR, file), 15, true)) console.log(`  ${share.toFixed(1).padStart(5)} %  ${where}`);
  }
}
