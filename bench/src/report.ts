// What a run produces: every scenario's figures as ratios to the bare-fastify
// ceiling of the same run, written as `bench/results/latest.json` and `latest.md`,
// and, for full runs, copied into `docs/performance.md` (issue #9 item 3).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Machine } from './machine.js';
import type { Measurement } from './load.js';

export type Backend = 'memory' | 'postgresql+redis';

export interface ScenarioResult {
  id: string;
  title: string;
  backend: Backend | '—';
  measurement?: Measurement;
  /** Which ceiling the ratio refers to (`ceiling-hello` or `ceiling-page`). */
  ceiling?: string;
  /** That ceiling's req/s measured right before and after this scenario (their mean is the ratio's base). */
  ceilingSlices?: number[];
  /** Kinto / ceiling in each alternating round (short slices of both); the ratio is their median. */
  roundRatios?: number[];
  ratio?: number;
  /** Upstream (FxA / IdP) calls made during the measured part. */
  upstreamCalls?: number;
  notes: string[];
  /** Set when the scenario could not run (a prerequisite is absent): why. */
  skipped?: string;
  /** Set when the scenario broke while running: the error. */
  failed?: string;
  /** Scenario-specific figures (RSS series, cache bound…). */
  extra?: Record<string, unknown>;
}

export interface Target {
  description: string;
  met: boolean | null;
  detail: string;
}

export interface RunReport {
  machine: Machine;
  options: { quick: boolean; warmupSeconds: number; durationSeconds: number; connections: number; logLevel: string; code: string; nodeOptions: string[] };
  results: ScenarioResult[];
  targets: Target[];
}

/** Text fit for one table cell: one line, no pipe, bounded. */
const cell = (text: string) => {
  const line = text.replace(/\s+/g, ' ').replaceAll('|', '\\|');
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
};
const mb = (bytes: number | null | undefined) => (bytes == null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Ratios: the median of the alternating rounds when the scenario had them; else to the
 * ceiling slices next to it; else to the ceiling's full measurement.
 */
export function withRatios(results: ScenarioResult[]): void {
  const ceilings = new Map(results.filter((r) => r.id.startsWith('ceiling-') && r.measurement).map((r) => [r.id, r.measurement!.requestsPerSecond]));
  for (const result of results) {
    if (result.roundRatios && result.roundRatios.length > 0) {
      result.ratio = median(result.roundRatios);
      const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
      result.notes = [
        ...result.notes,
        `ratio: median of ${result.roundRatios.length} alternating ceiling/Kinto rounds (${pct(Math.min(...result.roundRatios))}–${pct(Math.max(...result.roundRatios))})`,
      ];
      continue;
    }
    const slices = result.ceilingSlices ?? [];
    const adjacent = slices.length > 0 ? slices.reduce((a, b) => a + b, 0) / slices.length : undefined;
    const ceiling = adjacent ?? (result.ceiling ? ceilings.get(result.ceiling) : undefined);
    if (ceiling && result.measurement) result.ratio = result.measurement.requestsPerSecond / ceiling;
  }
}

export function markdownTable(report: RunReport): string {
  const rows = [
    '| Scenario | Backends | req/s | vs ceiling | p50 ms | p99 ms | errors | peak RSS | upstream calls | notes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of report.results) {
    const m = r.measurement;
    if (r.skipped || r.failed || !m) {
      const why = r.failed ? `**FAILED**: ${r.failed}` : `skipped: ${r.skipped ?? 'no measurement'}`;
      rows.push(`| ${r.title} | ${r.backend} | — | — | — | — | — | — | — | ${cell(why)} |`);
      continue;
    }
    const ratio = r.ratio === undefined ? (r.id.startsWith('ceiling-') ? '100 %' : '—') : `${(r.ratio * 100).toFixed(0)} %`;
    const notes = [...r.notes, m.errorDetail ? `errors: ${m.errorDetail}` : ''].filter(Boolean).join('; ');
    rows.push(
      `| ${r.title} | ${r.backend} | ${Math.round(m.requestsPerSecond)} | ${ratio} | ${ms(m.latencyP50Ms)} | ${ms(m.latencyP99Ms)} | ${m.errors} | ${mb(m.peakRssBytes)} | ${r.upstreamCalls ?? '—'} | ${cell(notes)} |`,
    );
  }
  return rows.join('\n');
}

export function machineLine(report: RunReport): string {
  const m = report.machine;
  const o = report.options;
  return (
    `${m.date} · ${m.cpuModel} × ${m.nproc} (nproc) · ${mb(m.totalMemoryBytes)} RAM · Node ${m.node} · ${m.platform} · commit ${m.commit}` +
    ` · ${o.quick ? 'quick run' : 'full run'}: ${o.warmupSeconds} s warm-up + ${o.durationSeconds} s per scenario, ${o.connections} connections, log_level ${o.logLevel}, servers run ${o.code === 'dist' ? 'the build' : o.code}${o.nodeOptions.length ? ` with ${o.nodeOptions.join(' ')}` : ''}`
  );
}

export function targetsList(report: RunReport): string {
  return report.targets.map((t) => `- ${t.met === null ? '⚪ not measured' : t.met ? '✅ met' : '❌ missed'} — ${t.description}: ${t.detail}`).join('\n');
}

export function markdown(report: RunReport): string {
  return [
    `Machine: ${machineLine(report)}`,
    '',
    markdownTable(report),
    '',
    'Targets (issue #9):',
    '',
    targetsList(report),
    '',
  ].join('\n');
}

export function writeResults(report: RunReport, dir: URL): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.json', dir), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL('latest.md', dir), markdown(report));
}

const BEGIN = '<!-- bench:begin (written by `pnpm bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';

/** Replaces the table between the markers of docs/performance.md, leaving the prose alone. */
export function updateDocs(report: RunReport, path: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} has no bench markers`);
  const block = `${BEGIN}\n${markdown(report)}${END}`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text.slice(0, start) + block + text.slice(end + END.length));
}
