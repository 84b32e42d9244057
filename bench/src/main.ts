// `pnpm bench` (issue #9): throughput, latency, errors and peak RSS of the requests
// users send, measured against the same machine's bare-fastify ceiling in one run.
// Reports; never fails on figures (exit 1 only when the harness itself breaks).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectCode, type CodeMode } from './code.js';
import { PG_URL, REDIS_URL } from './kinto-config.js';
import { describeMachine } from './machine.js';
import { markdown, updateDocs, withRatios, writeResults, type RunReport, type ScenarioResult } from './report.js';
import { backendScenarios, type BackendRun } from './scenarios/backend.js';
import { Ceiling } from './scenarios/ceiling.js';
import { filteredPage } from './scenarios/filtered.js';
import { tokenMemory } from './scenarios/memory.js';
import { PROFILE_DIR, printProfiles } from './profile.js';
import { kintoNodeOptions, profileInto, useCode } from './server-process.js';
import { prepareServices } from './services.js';
import { evaluateTargets } from './targets.js';
import { startFxa, startOpenId } from './upstreams.js';

const USAGE = `usage: pnpm bench [options]   (node bench/run.mjs [options])
  --quick        smoke run: short warm-up and measurement, fewer tokens and records; docs untouched
  --no-build     measure the existing build (it must be newer than the sources, or the sources are measured)
  --code         dist (default: the build, as \`kinto start\` runs it) or sources (TypeScript through tsx)
  --log-level    Kinto's log_level during the run (default info, Kinto's default; logs go to /dev/null)
  --tokens N     distinct tokens of the memory scenarios (default 100000; quick 5000)
  --records N    records of the PostgreSQL filtered page (default 100000; quick 5000)
  --only PHASES  comma-separated subset of: memory, postgresql, tokens-memory
  --scenarios    comma-separated request scenarios to run (hello, page-basic, page-fxa, page-openid, create, batch,
                 cold-fxa, first-use-fxa); all by default
  --node-option  a Node option for the Kinto servers (repeatable), e.g. --node-option=--max-semi-space-size=4
  --cpu-prof     Kinto servers write V8 CPU profiles to bench/results/profiles/; the top functions are printed
  --no-docs      do not copy the table into docs/performance.md (full runs do by default)`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    code: { type: 'string', default: 'dist' },
    // Handled by run.mjs (which builds); accepted here so the driver can be run directly.
    'no-build': { type: 'boolean', default: false },
    // Given by run.mjs after a successful build: the build is the checkout as of now.
    'just-built': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    tokens: { type: 'string' },
    records: { type: 'string' },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    'node-option': { type: 'string', multiple: true, default: [] },
    'no-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = values.quick;
const count = (text: string | undefined, fallback: number, minimum: number) => {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < minimum) throw new Error(`expected an integer ≥ ${minimum}, got '${text}'\n${USAGE}`);
  return Number(text);
};
const PHASES = ['memory', 'postgresql', 'tokens-memory'];
const phases = new Set((values.only ?? PHASES.join(',')).split(',').map((p) => p.trim()));
for (const phase of phases) if (!PHASES.includes(phase)) throw new Error(`--only: unknown phase '${phase}'\n${USAGE}`);
const timing = quick ? { warmupSeconds: 1, durationSeconds: 2 } : { warmupSeconds: 2, durationSeconds: 5 };
const sliceSeconds = quick ? 1 : 1.5;
// Alternating ceiling/Kinto rounds behind each ratio (their median).
const rounds = quick ? 2 : 4;
const connections = 10;
const logLevel = values['log-level'];
// Four quarters of tokens; ten matches of the filter (one record in a hundred).
const tokens = count(values.tokens, quick ? 5_000 : 100_000, 4);
const records = count(values.records, quick ? 5_000 : 100_000, 1_000);

if (values.code !== 'dist' && values.code !== 'sources') throw new Error(`--code: dist or sources, not '${values.code}'\n${USAGE}`);
const code = selectCode(values.code as CodeMode, values['just-built']);
useCode(code);
kintoNodeOptions(values['node-option']);
if (values['cpu-prof']) {
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  profileInto(PROFILE_DIR);
}

// Interrupted: exit through 'exit', where server-process.ts stops the servers and removes their files.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));

const results: ScenarioResult[] = [];
const machine = describeMachine();
const started = Date.now();
/** Elapsed time, for the progress lines: where a long run spends its minutes. */
const at = () => {
  const seconds = Math.round((Date.now() - started) / 1000);
  return `[${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}]`;
};
console.log(`kinto-ts bench: ${machine.cpuModel} × ${machine.nproc}, Node ${machine.node}, ${quick ? 'quick' : 'full'} run`);
console.log(`servers run ${code.mode === 'dist' ? 'the build (dist/)' : 'the sources through tsx'}${code.fallback ? ` because ${code.fallback}` : ''}`);

const [fxa, openid] = await Promise.all([startFxa(), startOpenId()]);
for (const [name, started] of [['FxA', fxa], ['OpenID', openid]] as const) {
  if (!started.ok) console.log(`  ${name} scenarios skipped: ${started.reason}`);
}
const auth = { ...(fxa.ok ? { fxa: fxa.value } : {}), ...(openid.ok ? { openid: openid.value } : {}) };
// One ceiling server for the whole run, started with the bytes of the first Kinto server.
let ceiling: Ceiling | null = null;
let ceilingRows: ScenarioResult[] = [];
const common: Omit<BackendRun, 'backend'> = {
  auth,
  authMissing: { ...(fxa.ok ? {} : { fxa: fxa.reason }), ...(openid.ok ? {} : { openid: openid.reason }) },
  timing,
  connections,
  logLevel,
  coldTokens: 500,
  concurrentFirstUses: 100,
  sliceSeconds,
  rounds,
  ...(values.scenarios ? { select: new Set(values.scenarios.split(',').map((s) => s.trim())) } : {}),
  ceiling: async (bodies) => {
    if (!ceiling) {
      console.log('  ceiling: bare fastify');
      ceiling = await Ceiling.start(bodies, connections);
      ceilingRows = await ceiling.measureAll(timing);
    }
    return ceiling;
  },
};

/** A backend whose server cannot start (a failing migration…) is one failed row, not a lost run. */
async function backendPhase(run: BackendRun): Promise<ScenarioResult[]> {
  try {
    return await backendScenarios(run);
  } catch (error) {
    console.log(`  ${run.backend} failed: ${(error as Error).message.split('\n')[0]}`);
    return [{ id: `server@${run.backend}`, title: 'Kinto server', backend: run.backend, notes: [], failed: (error as Error).message }];
  }
}

try {
  if (phases.has('memory')) {
    console.log(`${at()} memory backends`);
    results.push(...(await backendPhase({ ...common, backend: 'memory' })));
  }
  if (phases.has('postgresql')) {
    const absent = await prepareServices('kinto_bench', 7);
    console.log(`${at()} PostgreSQL + Redis${absent ? ` skipped: ${absent}` : ` (${PG_URL}, ${REDIS_URL})`}`);
    if (absent) {
      results.push({ id: 'postgresql', title: 'Every scenario on PostgreSQL + Redis', backend: 'postgresql+redis', notes: [], skipped: absent });
    } else {
      results.push(
        ...(await backendPhase({
          ...common,
          backend: 'postgresql+redis',
          more: (server, reference) => filteredPage(server, records, timing, connections, { reference, sliceSeconds }),
        })),
      );
    }
  }
  if (phases.has('tokens-memory')) {
    if (!fxa.ok) {
      results.push({ id: 'memory-tokens', title: 'RSS after distinct verified tokens', backend: 'memory', notes: [], skipped: fxa.reason });
    } else {
      for (const raised of [true, false]) {
        console.log(`${at()} memory: ${tokens} distinct FxA tokens, ${raised ? 'raised' : 'default'} cache bound…`);
        try {
          results.push(await tokenMemory(fxa.value, { tokens, connections: 20, logLevel }, raised));
        } catch (error) {
          results.push({ id: `memory-tokens-${raised ? 'raised' : 'default'}`, title: `${tokens} distinct FxA tokens`, backend: 'memory', notes: [], failed: (error as Error).message });
        }
      }
    }
  }
} finally {
  const reference = ceiling as Ceiling | null;
  if (reference) {
    ceilingRows = reference.annotate(ceilingRows);
    await reference.stop();
  }
  await Promise.all([fxa.ok && fxa.value.stop(), openid.ok && openid.value.stop()]);
}
results.unshift(...ceilingRows);

withRatios(results);
const report: RunReport = {
  machine,
  options: {
    quick,
    warmupSeconds: timing.warmupSeconds,
    durationSeconds: timing.durationSeconds,
    connections,
    logLevel,
    code: code.fallback ? `${code.mode} (${code.fallback})` : code.mode,
    nodeOptions: values['node-option'],
  },
  results,
  targets: [],
};
report.targets = evaluateTargets(report, tokens);
writeResults(report, new URL('../results/', import.meta.url));
console.log(`${at()} done\n\n${markdown(report)}`);
console.log('written: bench/results/latest.json, bench/results/latest.md');
if (values['cpu-prof']) printProfiles();
if (!quick && !values['no-docs'] && phases.size === 3 && !values.scenarios) {
  updateDocs(report, fileURLToPath(new URL('../../docs/performance.md', import.meta.url)));
  console.log('updated: docs/performance.md');
}
