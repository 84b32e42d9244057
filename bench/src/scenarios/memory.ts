// Issue #9 item 4: the server's RSS after N distinct verified FxA tokens, (a) with
// `cache_max_size_bytes` raised so that every verification stays cached, and (b)
// with the default bound, where RSS must stay flat however many tokens arrive.
// RSS is read after a full GC at each quarter of the tokens (retained memory).
import { fire, type Measurement } from '../load.js';
import { kintoConfig } from '../kinto-config.js';
import type { ScenarioResult } from '../report.js';
import { startKinto } from '../server-process.js';
import type { FxaUpstream } from '../upstreams.js';

/**
 * Each cached verification is accounted ~400 bytes by the memory cache (key and JSON
 * value as UTF-16, plus 64): 100k tokens ≈ 40 MB, so 64 MiB keeps them all.
 */
export const RAISED_CACHE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CACHE_BYTES = 524_288;
const CHECKPOINTS = 4;
const mb = (bytes: number | null) => `${Math.round((bytes ?? 0) / 1048576)} MB`;
const RECHECK = 1000;

export interface MemoryRun {
  tokens: number;
  connections: number;
  logLevel: string;
}

function merge(parts: Measurement[], peak: number | null): Measurement {
  const requests = parts.reduce((sum, m) => sum + m.requests, 0);
  const seconds = parts.reduce((sum, m) => sum + m.requests / m.requestsPerSecond, 0);
  const detail = parts.map((m) => m.errorDetail).filter(Boolean);
  return {
    requestsPerSecond: requests / seconds,
    // Percentiles cannot be merged: the worst quarter's are reported.
    latencyP50Ms: Math.max(...parts.map((m) => m.latencyP50Ms)),
    latencyP99Ms: Math.max(...parts.map((m) => m.latencyP99Ms)),
    requests,
    errors: parts.reduce((sum, m) => sum + m.errors, 0),
    peakRssBytes: peak,
    ...(detail.length ? { errorDetail: detail.join(' / ') } : {}),
  };
}

export async function tokenMemory(fxa: FxaUpstream, run: MemoryRun, raised: boolean): Promise<ScenarioResult> {
  const cacheBytes = raised ? RAISED_CACHE_BYTES : DEFAULT_CACHE_BYTES;
  const config = kintoConfig('memory', { fxa }, run.logLevel, raised ? { 'kinto.cache_max_size_bytes': cacheBytes } : {});
  const server = await startKinto(config);
  try {
    const tokens = await Promise.all(Array.from({ length: run.tokens }, () => fxa.mint()));
    let next = 0;
    const load = {
      path: '/v1/',
      authorization: () => `Bearer ${tokens[next++ % tokens.length]}`,
      check: (_status: number, body: string) => body.includes('"id":"fxa:'),
    };
    // RSS is what the issue asks; the V8 heap in use shows how much of it live objects hold.
    const point = async (count: number) => {
      const usage = await server.gc();
      return {
        tokens: count,
        rssBytes: server.rssBytes(),
        rssAnonBytes: server.rssAnonBytes(),
        heapUsedBytes: usage.heapUsed,
        heapTotalBytes: usage.heapTotal,
        externalBytes: usage.external,
      };
    };
    const series = [await point(0)];
    const parts: Measurement[] = [];
    let peak = 0;
    const before = fxa.verifyCalls();
    for (let i = 1; i <= CHECKPOINTS; i++) {
      const amount = Math.round((run.tokens * i) / CHECKPOINTS) - next;
      const part = await fire(server, load, amount, run.connections);
      parts.push(part);
      peak = Math.max(peak, part.peakRssBytes ?? 0);
      series.push(await point(next));
    }
    const verifications = fxa.verifyCalls() - before;
    // The oldest tokens are the first an LRU evicts: asking again shows whether they stayed cached.
    next = 0;
    const beforeRecheck = fxa.verifyCalls();
    const recheck = await fire(server, load, Math.min(RECHECK, run.tokens), run.connections);
    const recheckCalls = fxa.verifyCalls() - beforeRecheck;
    const measurement = merge([...parts, recheck], peak || null);
    // The first half warms the process up (JIT, heap sizing); "flat" is about what more tokens add.
    const half = series[CHECKPOINTS / 2]!.rssBytes ?? 0;
    const last = series.at(-1)!.rssBytes ?? 0;
    return {
      id: raised ? 'memory-tokens-raised' : 'memory-tokens-default',
      title: `${run.tokens.toLocaleString('en')} distinct FxA tokens, cache_max_size_bytes = ${cacheBytes}${raised ? '' : ' (default)'}`,
      backend: 'memory',
      measurement,
      upstreamCalls: verifications + recheckCalls,
      notes: [
        `after GC, RSS (heap used): ${series.map((p) => `${mb(p.rssBytes)} (${mb(p.heapUsedBytes)}) @${Math.round(p.tokens / 1000)}k`).join(', ')}`,
        `first ${Math.min(RECHECK, run.tokens)} tokens again: ${recheckCalls} upstream calls (${recheckCalls === 0 ? 'all still cached' : 'evicted by the bound'})`,
      ],
      extra: { cacheMaxSizeBytes: cacheBytes, rssSeries: series, secondHalfGrowthBytes: last - half, verifications, recheckCalls },
    };
  } finally {
    await server.stop();
  }
}
