// Which code the measured servers run: the build (`dist/`, plain Node — what
// `kinto start` runs in production) or the TypeScript sources through tsx (no build
// needed, but tsx's loader thread adds its own heap to every RSS figure). The bench
// uses the build when it is complete and newer than the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type CodeMode = 'dist' | 'sources';

export interface Code {
  mode: CodeMode;
  /** Node options of the server processes (and of `kinto migrate`). */
  nodeArgs: string[];
  cli: string;
  fxaPlugin: string;
  openidPlugin: string;
  /** Why the sources are measured although the build was asked for. */
  fallback?: string;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['packages/core', 'packages/server', 'plugins/fxa', 'plugins/openid'];

function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    latest = Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs);
  }
  return latest;
}

/**
 * Null when every package has a build; else what is missing. A build older than
 * its sources is refused too, unless it was made by this very run (`justBuilt`):
 * other engineers' edits landing during a run must not switch the code measured.
 */
function buildProblem(justBuilt: boolean): string | null {
  for (const pkg of PACKAGES) {
    const dist = join(ROOT, pkg, 'dist');
    if (!existsSync(join(dist, 'index.js'))) return `${pkg} is not built`;
    if (!justBuilt && newest(join(ROOT, pkg, 'src')) > newest(dist)) return `${pkg}/dist is older than its sources`;
  }
  return null;
}

export function selectCode(wanted: CodeMode, justBuilt = false): Code {
  const problem = wanted === 'dist' ? buildProblem(justBuilt) : null;
  const mode: CodeMode = wanted === 'dist' && !problem ? 'dist' : 'sources';
  const at = (relative: string) => join(ROOT, relative);
  const code: Code =
    mode === 'dist'
      ? {
          mode,
          nodeArgs: [],
          cli: at('packages/server/dist/cli/main.js'),
          fxaPlugin: at('plugins/fxa/dist/index.js'),
          openidPlugin: at('plugins/openid/dist/index.js'),
        }
      : {
          mode,
          nodeArgs: ['--conditions=source', '--import', import.meta.resolve('tsx')],
          cli: at('packages/server/src/cli/main.ts'),
          fxaPlugin: at('plugins/fxa/src/index.ts'),
          openidPlugin: at('plugins/openid/src/index.ts'),
        };
  return problem ? { ...code, fallback: problem } : code;
}
