// Issue #9 item 2: the machine's ceiling in the same run — bare fastify answering
// the same JSON bytes as Kinto's anonymous hello and its 10-record page — to which
// every scenario is compared. The ceiling server lives through the whole run: it is
// measured in full once, then for a short slice right before and right after each
// Kinto scenario, so that a ratio compares figures taken under the same machine
// load (on a shared machine the load drifts by a factor of two within minutes).
import { measure, type Timing } from '../load.js';
import type { ScenarioResult } from '../report.js';
import { startCeiling, type ServerHandle } from '../server-process.js';

export type CeilingRoute = 'ceiling-hello' | 'ceiling-page';

export class Ceiling {
  private readonly slices = new Map<CeilingRoute, number[]>();

  private constructor(
    private readonly server: ServerHandle,
    private readonly bodies: Map<CeilingRoute, Buffer>,
    private readonly connections: number,
  ) {}

  static async start(bodies: { hello: Buffer; page: Buffer | null }, connections: number): Promise<Ceiling> {
    const routes: Record<string, Buffer> = { '/ceiling-hello': bodies.hello };
    if (bodies.page) routes['/ceiling-page'] = bodies.page;
    const known = new Map<CeilingRoute, Buffer>([['ceiling-hello', bodies.hello]]);
    if (bodies.page) known.set('ceiling-page', bodies.page);
    return new Ceiling(await startCeiling(routes), known, connections);
  }

  has(route: string): route is CeilingRoute {
    return this.bodies.has(route as CeilingRoute);
  }

  private load(route: CeilingRoute) {
    const length = this.bodies.get(route)!.length;
    return { path: `/${route}`, check: (_status: number, body: string) => Buffer.byteLength(body) === length };
  }

  /** The full measurement (warm-up included): the ceiling rows of the table. */
  async measureAll(timing: Timing): Promise<ScenarioResult[]> {
    const rows: ScenarioResult[] = [];
    for (const [route, body] of this.bodies) {
      const what = route === 'ceiling-hello' ? 'GET /v1/' : 'the 10-record page';
      rows.push({
        id: route,
        title: `Ceiling: bare fastify, the bytes of ${what} (${body.length} B)`,
        backend: '—',
        measurement: await measure(this.server, this.load(route), timing, this.connections),
        notes: [],
      });
    }
    return rows;
  }

  /** Requests per second over a short slice, without warm-up (the server is warm). */
  async slice(route: CeilingRoute, seconds: number): Promise<number> {
    const m = await measure(this.server, this.load(route), { warmupSeconds: 0, durationSeconds: seconds }, this.connections);
    const list = this.slices.get(route) ?? [];
    list.push(m.requestsPerSecond);
    this.slices.set(route, list);
    return m.requestsPerSecond;
  }

  /** Notes for the ceiling rows: how much the slices varied during the run. */
  annotate(rows: ScenarioResult[]): ScenarioResult[] {
    return rows.map((row) => {
      const list = this.slices.get(row.id as CeilingRoute) ?? [];
      if (list.length === 0) return row;
      const range = `${Math.round(Math.min(...list))}–${Math.round(Math.max(...list))}`;
      return { ...row, notes: [...row.notes, `${list.length} slices during the run: ${range} req/s`] };
    });
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
