import { DataSource } from 'typeorm';
import { decode, enrollmentEvent, noPlans, storedDesign, type EnrollmentEvent, type OutcomeEvent } from '@trial/contracts';
import { interimReport, type LogEvent } from '@trial/readmodel';
import { analysisAt, inMemory, rebuild, ReadModelProjector } from '@trial/projection';
import { createDataSource, migrate } from '@trial/storage';
import { runInterim } from '../../apps/cli/src/commands/interim';
import { privateDatabase, uniqueId } from '../support';
import { trialEvents } from './readout/trial';
import { testProjector } from '../support/projector';

type Json = Record<string, unknown>;

/**
 * A log written before TrialRegistered and PatientRandomised v2 (v1 events,
 * upcast on read) projects, live and on replay, to the read-out a v2 log with no plans gives:
 * the same survival figures, and the same interim read-out, which is `followup interim` with no
 * futility, no design hazard ratio and 1:1, as the read-out was before the monitoring plan.
 */
describe('a v1 log replays to the read-out it always gave', () => {
  const v1Id = uniqueId('V1LOG');
  const v2Id = uniqueId('V2LOG');
  const db = privateDatabase(v1Id);
  let ds: DataSource;

  /** The trial's events as a producer written before v2 published them: v1, through decode as every consumer reads them. */
  type Log = { enrol: EnrollmentEvent[]; out: OutcomeEvent[] };
  const v1Log = (trialId: string): Log => {
    const { early, late } = trialEvents(trialId);
    const asV1 = (e: EnrollmentEvent): unknown => {
      if (e.type === 'TrialRegistered') {
        const { futility: _f, designHazardRatio: _h, allocationRatio: _a, stratificationFactors: _s, subgroups: _g, endpoints: _e, ...rest } = e;
        return { ...rest, v: 1 };
      }
      if (e.type === 'PatientRandomised') {
        const { strata: _s, covariates: _c, ...rest } = e;
        return { ...rest, v: 1 };
      }
      return e;
    };
    const read = (json: unknown): EnrollmentEvent => {
      const r = decode(enrollmentEvent, JSON.stringify(json));
      if (!r.ok) throw new Error(r.error.reason);
      return r.value;
    };
    return { enrol: [...early.enrolments, ...late.enrolments].map((e) => read(asV1(e))), out: [...early.outcomes, ...late.outcomes] };
  };
  const v2Log = (trialId: string): Log => {
    const { early, late } = trialEvents(trialId);
    return { enrol: [...early.enrolments, ...late.enrolments], out: [...early.outcomes, ...late.outcomes] };
  };
  const all = (l: Log): LogEvent[] => [...l.enrol, ...l.out];
  // Each topic's order kept: one batch per topic.
  const apply = async (p: ReadModelProjector, topic: string, { enrol, out }: Log) => {
    await p.apply({
      topic: `${topic}-e`,
      partition: 0,
      lastOffset: String(enrol.length - 1),
      messages: enrol.map((value, i) => ({ offset: String(i), value })),
    });
    await p.apply({
      topic: `${topic}-o`,
      partition: 0,
      lastOffset: String(out.length - 1),
      messages: out.map((value, i) => ({ offset: String(i), value })),
    });
    await p.drain();
  };
  const readout = async (trialId: string): Promise<{ survival: Json; interim: Json; design: unknown }> => {
    const { analysis } = await analysisAt(ds, trialId, {}, {});
    if (!analysis.byArm.ok || analysis.design === null) throw new Error(`${trialId}: no by-arm read-out`);
    const { trialId: _t, eventId: _e, ...design } = analysis.design;
    return {
      survival: analysis.byArm.value as unknown as Json,
      interim: interimReport(analysis.design, [], analysis.byArm.value) as unknown as Json,
      design,
    };
  };

  beforeAll(async () => {
    await db.create();
    ds = await createDataSource(db.url, { poolSize: 2 }).initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db.drop();
  });

  it('projects v1 and v2-with-no-plans to the same survival and interim read-outs, live and replayed', async () => {
    const p = testProjector(ds, `v1-${v1Id}`);
    await apply(p, v1Id, v1Log(v1Id));
    await apply(p, v2Id, v2Log(v2Id));
    const live1 = await readout(v1Id);
    const live2 = await readout(v2Id);
    expect(live1.design).toEqual(live2.design);
    expect(live1.design).toMatchObject(noPlans());
    expect(live1.survival).toEqual(live2.survival);
    expect(live1.interim).toEqual(live2.interim);
    // As the read-out was before the monitoring plan: no futility, no design HR (no conditional power under it), 1:1.
    const { deaths, logRankZ, informationFraction: _i, looksTaken: _l, prospective: _p, ...doc } = live1.interim;
    expect(doc).toEqual(
      JSON.parse(
        runInterim({
          plannedEvents: '8',
          events: String(deaths),
          z: String(logRankZ),
          looks: '0.5,0.75,1',
          alpha: '0.05',
          sided: '2',
          spending: 'obrien-fleming',
          futility: 'none',
          beta: '0.2',
          allocation: '1',
          json: true,
        }),
      ),
    );
    expect(doc).not.toHaveProperty('conditionalPower');

    // Its stored design reads back as v2 with no plans (storedDesign, as every read of rm_trials does).
    const [row] = (await ds.query('select design from rm_trials where trial_id = $1', [v1Id])) as Array<{ design: unknown }>;
    expect(storedDesign(row.design)).toMatchObject({ v: 2, ...noPlans() });

    // Replay of the v1 log: the same read-out again.
    const report = await rebuild(ds, inMemory({ events: all(v1Log(v1Id)), watermarks: [], invalid: 0 }), {
      trialId: v1Id,
      now: () => new Date().toISOString(),
    });
    expect(report).toMatchObject({ trials: 1, refused: 0 });
    expect(await readout(v1Id)).toEqual(live1);
  });
});
