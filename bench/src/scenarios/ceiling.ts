// Issue #9 item 2: the machine's ceiling in the same run — bare fastify answering
// the same JSON bytes as Kinto's anonymous hello and its 10-record page — to which
// every scenario is compared.
import { measure, type Timing } from '../load.js';
import type { ScenarioResult } from '../report.js';
import { startCeiling } from '../server-process.js';

export async function ceilings(bodies: { hello: Buffer; page: Buffer | null }, timing: Timing, connections: number): Promise<ScenarioResult[]> {
  const routes: Record<string, Buffer> = { '/hello': bodies.hello };
  if (bodies.page) routes['/page'] = bodies.page;
  const server = await startCeiling(routes);
  try {
    const results: ScenarioResult[] = [];
    const check = (expected: Buffer) => (_status: number, body: string) => body.length === expected.toString('utf8').length;
    results.push({
      id: 'ceiling-hello',
      title: `Ceiling: bare fastify, the bytes of GET /v1/ (${bodies.hello.length} B)`,
      backend: '—',
      measurement: await measure(server, { path: '/hello', check: check(bodies.hello) }, timing, connections),
      notes: [],
    });
    if (bodies.page) {
      results.push({
        id: 'ceiling-page',
        title: `Ceiling: bare fastify, the bytes of the 10-record page (${bodies.page.length} B)`,
        backend: '—',
        measurement: await measure(server, { path: '/page', check: check(bodies.page) }, timing, connections),
        notes: [],
      });
    }
    return results;
  } finally {
    await server.stop();
  }
}

/**
 * The ceiling is measured before and after the memory scenarios: a shared machine's
 * load drifts during a run, and the higher figure (the harder comparison for Kinto)
 * is kept, the other shown in the notes.
 */
export function keepHigher(first: ScenarioResult[], second: ScenarioResult[]): ScenarioResult[] {
  return first.map((a) => {
    const b = second.find((r) => r.id === a.id);
    if (!b?.measurement || !a.measurement) return a;
    const [kept, other] = b.measurement.requestsPerSecond > a.measurement.requestsPerSecond ? [b, a] : [a, b];
    const when = kept === a ? 'before' : 'after';
    return { ...kept, notes: [`measured before and after the memory scenarios; kept ${when}, the other gave ${Math.round(other.measurement!.requestsPerSecond)} req/s`] };
  });
}
