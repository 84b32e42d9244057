// One backend configuration (memory, or PostgreSQL + Redis): a Kinto server with
// Basic, FxA and OpenID authentication, then every request scenario of issue #9.
import { BASIC, request } from '../http.js';
import type { Ceiling } from './ceiling.js';
import { kintoConfig, OPENID_PROVIDER, type AuthUpstreams } from '../kinto-config.js';
import { measure, type LoadRequest, type Timing } from '../load.js';
import type { Backend, ScenarioResult } from '../report.js';
import { startKinto, type ServerHandle } from '../server-process.js';
import { BATCH_SIZE, batchRequest, createRequest, helloRequest, pageRequest, resourcesMissing, seed } from './records.js';
import { coldTokens, concurrentFirstUse, fxaAuthorization, measureCounted, openIdAuthorization } from './tokens.js';

export interface BackendRun {
  backend: Backend;
  auth: AuthUpstreams;
  /** Why FxA / OpenID scenarios cannot run (their upstream is absent). */
  authMissing: { fxa?: string; openid?: string };
  timing: Timing;
  connections: number;
  logLevel: string;
  coldTokens: number;
  concurrentFirstUses: number;
  /** Called once the server is seeded, with the bytes it answers: the ceiling to compare with. */
  ceiling?: (bodies: { hello: Buffer; page: Buffer | null }) => Promise<Ceiling | null>;
  /** Length of each slice of the alternating rounds (ceiling, then Kinto) behind a ratio. */
  sliceSeconds: number;
  /** Alternating rounds per scenario with a ratio; the ratio is their median. */
  rounds: number;
  /** Only these scenario ids (`page-fxa`, `batch`…); all when absent. */
  select?: Set<string>;
  /** Extra scenarios on the running server (the PostgreSQL filtered page). */
  more?: (server: ServerHandle, ceiling: Ceiling | null) => Promise<ScenarioResult[]>;
}

/** `load`: the request the scenario measured, sent again in the alternating ratio rounds. */
type Outcome = Partial<ScenarioResult> & { load?: LoadRequest };
type Scenario = { id: string; title: string; ceiling?: string; skip?: string; run: () => Promise<Outcome> };

async function startWithAuth(run: BackendRun): Promise<{ server: ServerHandle; authFailure?: string }> {
  const migrate = run.backend === 'postgresql+redis';
  const withAuth = kintoConfig(run.backend, run.auth, run.logLevel);
  if (!run.auth.fxa && !run.auth.openid) return { server: await startKinto({ ...withAuth, migrate }) };
  try {
    return { server: await startKinto({ ...withAuth, migrate }) };
  } catch (error) {
    // The plugins may be mid-development: measure what works, say why the rest did not run.
    const authFailure = `the server did not start with the FxA/OpenID plugins: ${(error as Error).message.split('\n')[0]}`;
    return { server: await startKinto({ ...kintoConfig(run.backend, {}, run.logLevel), migrate }), authFailure };
  }
}

export async function backendScenarios(run: BackendRun): Promise<ScenarioResult[]> {
  const { backend, timing, connections } = run;
  const { server, authFailure } = await startWithAuth(run);
  const results: ScenarioResult[] = [];
  try {
    const missing = await resourcesMissing(server.url);
    const page = missing ? null : await seed(server.url);
    const hello = (await request(server.url, 'GET', '/v1/')).bytes;
    const ceiling = (await run.ceiling?.({ hello, page })) ?? null;

    const fxa = authFailure ? undefined : run.auth.fxa;
    const openid = authFailure ? undefined : run.auth.openid;
    const noFxa = authFailure ?? run.authMissing.fxa;
    const noOpenId = authFailure ?? run.authMissing.openid;
    // A page read with a token verified beforehand: the upstream calls during the run are counted (0 expected).
    const tokenPage = async (authorization: string, upstreamCalls: () => number): Promise<Outcome> => {
      const load = pageRequest(authorization);
      const counted = await measureCounted(server, load, timing, connections, upstreamCalls);
      return { measurement: counted.measurement, upstreamCalls: counted.upstreamCalls, load };
    };
    const scenarios: Scenario[] = [
      { id: 'hello', title: 'GET /v1/ anonymous', ceiling: 'ceiling-hello', run: async () => ({ measurement: await measure(server, helloRequest, timing, connections), load: helloRequest }) },
      {
        id: 'page-basic',
        title: '10-record page, Basic auth',
        ceiling: 'ceiling-page',
        skip: missing ?? undefined,
        run: async () => {
          const load = pageRequest(BASIC);
          return { measurement: await measure(server, load, timing, connections), load };
        },
      },
      {
        id: 'page-fxa',
        title: '10-record page, FxA token (verified, cached)',
        ceiling: 'ceiling-page',
        skip: missing ?? noFxa,
        run: async () => tokenPage(await fxaAuthorization(server, fxa!), fxa!.verifyCalls),
      },
      {
        id: 'page-openid',
        title: '10-record page, OpenID token (verified, cached)',
        ceiling: 'ceiling-page',
        skip: missing ?? noOpenId,
        run: async () => tokenPage(await openIdAuthorization(server, openid!, OPENID_PROVIDER), openid!.userinfoCalls),
      },
      {
        id: 'create',
        title: 'POST a record, Basic auth',
        ceiling: 'ceiling-page',
        skip: missing ?? undefined,
        run: async () => ({ measurement: await measure(server, createRequest, timing, connections), load: createRequest }),
      },
      {
        id: 'batch',
        title: `POST /v1/batch of ${BATCH_SIZE} creations, Basic auth`,
        ceiling: 'ceiling-page',
        skip: missing ?? undefined,
        run: async () => {
          const measurement = await measure(server, batchRequest, timing, connections);
          return { measurement, notes: [`${Math.round(measurement.requestsPerSecond * BATCH_SIZE)} records/s`], load: batchRequest };
        },
      },
      {
        id: 'cold-fxa',
        title: `Cold: ${run.coldTokens} distinct new FxA tokens (GET /v1/)`,
        skip: noFxa,
        run: async () => {
          const counted = await coldTokens(server, fxa!, run.coldTokens, connections);
          return { measurement: counted.measurement, upstreamCalls: counted.upstreamCalls, notes: [`${(counted.upstreamCalls / run.coldTokens).toFixed(2)} upstream calls per token`] };
        },
      },
      {
        id: 'first-use-fxa',
        title: `${run.concurrentFirstUses} concurrent first uses of one FxA token`,
        skip: noFxa,
        run: async () => {
          const counted = await concurrentFirstUse(server, fxa!, run.concurrentFirstUses, 200);
          return { measurement: counted.measurement, upstreamCalls: counted.upstreamCalls, notes: ['FxA answers after 200 ms so that all requests overlap'] };
        },
      },
    ];
    for (const scenario of scenarios) {
      if (run.select && !run.select.has(scenario.id)) continue;
      const base: ScenarioResult = { id: `${scenario.id}@${backend}`, title: scenario.title, backend, notes: [], ...(scenario.ceiling ? { ceiling: scenario.ceiling } : {}) };
      if (scenario.skip) {
        results.push({ ...base, skipped: scenario.skip });
        continue;
      }
      process.stdout.write(`  ${backend}: ${scenario.title}… `);
      try {
        const route = scenario.ceiling && ceiling?.has(scenario.ceiling) ? scenario.ceiling : null;
        const { load, ...outcome } = await scenario.run();
        // The ratio: alternating short slices of the ceiling and of the same request on
        // Kinto, so both see the same machine (its speed drifts within minutes).
        const roundRatios: number[] = [];
        let roundErrors = 0;
        if (route && load && outcome.measurement) {
          for (let round = 0; round < run.rounds; round++) {
            const bare = await ceiling!.slice(route, run.sliceSeconds);
            const kinto = await measure(server, load, { warmupSeconds: 0, durationSeconds: run.sliceSeconds }, connections);
            roundErrors += kinto.errors;
            if (bare > 0) roundRatios.push(kinto.requestsPerSecond / bare);
          }
        }
        const measurement = outcome.measurement && roundErrors > 0 ? { ...outcome.measurement, errors: outcome.measurement.errors + roundErrors } : outcome.measurement;
        results.push({
          ...base,
          ...outcome,
          ...(measurement ? { measurement } : {}),
          ...(roundRatios.length > 0 ? { roundRatios } : {}),
          notes: [...base.notes, ...(outcome.notes ?? [])],
        });
        process.stdout.write(`${Math.round(outcome.measurement?.requestsPerSecond ?? 0)} req/s, ${measurement?.errors ?? 0} errors\n`);
      } catch (error) {
        results.push({ ...base, failed: (error as Error).message });
        process.stdout.write(`failed: ${(error as Error).message.split('\n')[0]}\n`);
      }
    }
    if (run.more) results.push(...(await run.more(server, ceiling)));
    return results;
  } finally {
    await server.stop();
  }
}
