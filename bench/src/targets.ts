// The targets of issue #9, checked against a run's figures. The bench reports
// them; it never fails on them (no timed assertions).
import type { RunReport, ScenarioResult, Target } from './report.js';

const MB = 1024 * 1024;
const RSS_LIMIT = 150 * MB;
/** "Flat": the second half of the tokens adds less than this to the RSS after GC (the first half warms the process up). */
const FLAT_LIMIT = 5 * MB;
const FULL_TOKENS = 100_000;

const pct = (ratio: number) => `${(ratio * 100).toFixed(0)} %`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

function find(results: ScenarioResult[], prefix: string): ScenarioResult[] {
  return results.filter((r) => r.id.startsWith(prefix) && r.measurement && !r.failed);
}

export function evaluateTargets(report: RunReport, tokens: number): Target[] {
  const { results } = report;
  const targets: Target[] = [];

  const cached = [...find(results, 'page-fxa@memory'), ...find(results, 'page-openid@memory')];
  targets.push({
    description: 'a cached-token record page at ≥ 50 % of the bare-fastify ceiling (memory backends)',
    met: cached.length === 0 || cached.some((r) => r.ratio === undefined) ? null : cached.every((r) => r.ratio! >= 0.5),
    detail: cached.map((r) => `${r.title}: ${r.ratio === undefined ? 'no ratio' : pct(r.ratio)}`).join('; ') || 'not run',
  });

  const cachedAll = [...find(results, 'page-fxa@'), ...find(results, 'page-openid@')];
  targets.push({
    description: 'a cached token costs no upstream call',
    met: cachedAll.length === 0 ? null : cachedAll.every((r) => r.upstreamCalls === 0),
    detail: cachedAll.map((r) => `${r.id}: ${r.upstreamCalls} calls for ${r.measurement!.requests} requests`).join('; ') || 'not run',
  });

  const firstUses = find(results, 'first-use-fxa@');
  targets.push({
    description: '100 concurrent first uses of a token cost one upstream call',
    met: firstUses.length === 0 ? null : firstUses.every((r) => r.upstreamCalls === 1),
    detail: firstUses.map((r) => `${r.backend}: ${r.upstreamCalls}`).join('; ') || 'not run',
  });

  const raised = find(results, 'memory-tokens-raised')[0];
  const allCached = raised?.extra?.recheckCalls === 0;
  const rssEnd = (raised?.extra?.rssSeries as Array<{ rssBytes: number | null }> | undefined)?.at(-1)?.rssBytes ?? null;
  targets.push({
    description: '100k cached tokens keep RSS under 150 MB',
    met: !raised || tokens < FULL_TOKENS || rssEnd === null ? null : allCached && (raised.measurement!.peakRssBytes ?? Infinity) < RSS_LIMIT,
    detail: raised
      ? `${tokens} tokens${tokens < FULL_TOKENS ? ' (fewer than 100k: not conclusive)' : ''}: peak ${mb(raised.measurement!.peakRssBytes ?? 0)}, ${mb(rssEnd ?? 0)} after GC, ${allCached ? 'all still cached' : 'some were evicted'}`
      : 'not run',
  });

  const bounded = find(results, 'memory-tokens-default')[0];
  const growth = bounded?.extra?.secondHalfGrowthBytes as number | undefined;
  targets.push({
    description: `with the default cache bound RSS stays flat (the second half of the tokens adds < ${mb(FLAT_LIMIT)})`,
    met: growth === undefined ? null : growth < FLAT_LIMIT,
    detail: growth === undefined ? 'not run' : `the second ${(tokens / 2).toLocaleString('en')} tokens changed RSS by ${growth >= 0 ? '+' : ''}${mb(growth)}`,
  });

  const measured = results.filter((r) => r.measurement);
  const failed = results.filter((r) => r.failed);
  const withErrors = measured.filter((r) => r.measurement!.errors > 0);
  targets.push({
    description: 'zero errors in every scenario',
    met: measured.length === 0 ? null : withErrors.length === 0 && failed.length === 0,
    detail:
      withErrors.length + failed.length === 0
        ? `${measured.length} scenarios, no error`
        : [...withErrors.map((r) => `${r.id}: ${r.measurement!.errors}`), ...failed.map((r) => `${r.id}: failed`)].join('; '),
  });
  return targets;
}
