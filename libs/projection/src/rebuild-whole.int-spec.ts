// Against the real Postgres: a whole replay (no --trial) rebuilds, over the read models the live
// projector wrote, exactly what it held: every patient row, each trial's read-out figure for
// figure, the park, the applied-event set; as-of reads of the time before still answer; and
// replaying again changes nothing. Over empty read models it writes the same rows (and a history
// row per patient). In a private database: a whole replay rebuilds every trial there is.
import { DataSource } from 'typeorm';
import { noPlans, type EnrollmentEvent, type OutcomeEvent } from '@trial/contracts';
import type { LogEvent } from '@trial/readmodel';
import { createDataSource, migrate } from '@trial/storage';
import { privateDatabase, uniqueId } from '../../../test/support';
import { trialEvents } from '../../../test/int/readout/trial';
import { analysisAt } from './queries';
import { inMemory, type LogSource } from './log-reader';
import { rebuild } from './rebuild';
import { testProjector } from '../../../test/support/projector';

describe('rebuild of the whole log (followup replay, set-based writes)', () => {
  const id = uniqueId('WHOLE');
  const db = privateDatabase(id);
  const consumer = `whole-${id}`;
  let ds: DataSource;
  beforeAll(async () => {
    await db.create();
    ds = await createDataSource(db.url, { poolSize: 2 }).initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db.drop();
  });

  /** A bigger trial, so the streamed COPY sends many chunks: 3,000 patients, deaths and visits. */
  const bulk = (trialId: string): { enrol: EnrollmentEvent[]; out: OutcomeEvent[] } => {
    const enrol: EnrollmentEvent[] = [
      {
        v: 2,
        type: 'TrialRegistered',
        ...noPlans(),
        eventId: `${trialId}:reg`,
        trialId,
        title: 'bulk',
        arms: ['control', 'active'],
        referenceArm: 'control',
        plannedEvents: 1000,
        alpha: 0.05,
        sided: 2,
        looks: [1],
        spending: 'obrien-fleming',
      },
    ];
    const out: OutcomeEvent[] = [];
    for (let p = 0; p < 3000; p++) {
      enrol.push({
        v: 2,
        type: 'PatientRandomised',
        strata: {},
        covariates: {},
        eventId: `${trialId}:r-${p}`,
        trialId,
        patientId: `P${p}`,
        arm: p % 2 ? 'active' : 'control',
        randomisedOn: `200${6 + (p % 4)}-0${1 + (p % 9)}-1${p % 10}`,
        site: `S${p % 7}`,
        nhsNumber: String(9_100_000_000 + p),
        chiNumber: null,
        dateOfBirth: '1950-01-01',
        sex: p % 3 ? 'F' : 'M',
        familyName: 'Bulk',
        givenNames: 'B',
        postcode: null,
      });
      if (p % 3 === 0) {
        out.push({
          v: 1,
          type: 'DeathLinked',
          eventId: `${trialId}:d-${p}`,
          trialId,
          patientId: `P${p}`,
          occurredAt: '2011-01-05T10:00:00Z',
          source: 'ONS',
          recordId: `${trialId}-D${p}`,
          version: 1,
          dateOfDeath: `2010-0${1 + (p % 9)}-2${p % 8}`,
          underlyingCause: 'I21.9',
          evidence: { method: 'deterministic', modelVersion: 'test', weight: null, fields: {} },
        });
      }
      if (p % 5 === 0) {
        enrol.push({ v: 1, type: 'PatientSeenAlive', eventId: `${trialId}:s-${p}`, trialId, patientId: `P${p}`, seenOn: '2009-04-01' });
      }
    }
    return { enrol, out };
  };

  it('rebuilds what the live projector holds, figure for figure, twice, and the same over empty read models', async () => {
    const trials = [`${id}-A`, `${id}-B`];
    const bulkId = `${id}-BULK`;
    // A trial the log never registers: its patients' events wait in the park.
    const unregistered = trialEvents(`${id}-NOREG`).early.enrolments.filter((e) => e.type !== 'TrialRegistered');
    const enrol: EnrollmentEvent[] = [];
    const out: OutcomeEvent[] = [];
    for (const t of trials) {
      const { early, late } = trialEvents(t);
      enrol.push(...early.enrolments, ...late.enrolments);
      out.push(...early.outcomes, ...late.outcomes);
    }
    const b = bulk(bulkId);
    enrol.push(...b.enrol, ...unregistered);
    out.push(...b.out);

    const projector = testProjector(ds, consumer);
    for (const [topic, list] of [
      [`${id}-e`, enrol],
      [`${id}-o`, out],
    ] as const) {
      for (let i = 0; i < list.length; i += 500) {
        const part = list.slice(i, i + 500);
        const messages = part.map((value, k) => ({ offset: String(i + k), value }));
        await projector.apply({ topic, partition: 0, lastOffset: String(i + part.length - 1), messages });
      }
    }
    await projector.drain();
    const liveAt = new Date().toISOString();

    const patients = () => ds.query(`select trial_id, patient_id, state, followup, guard, registry from rm_patients order by trial_id, patient_id`);
    const parked = () => ds.query(`select trial_id, patient_id, event, code, reason from rm_parked order by id`);
    const applied = () => ds.query(`select event_id, content_hash from applied_events where consumer = $1 order by event_id`, [consumer]);
    const historyRows = async () => Number((await ds.query(`select count(*) as n from rm_patient_history`))[0].n);
    const readouts = async (moment: { asOf?: string }) =>
      Promise.all(
        [...trials, bulkId].map(async (t) => {
          const { analysis } = await analysisAt(ds, t, moment, {});
          return { ...analysis, version: 0 };
        }),
      );
    const live = { patients: await patients(), parked: await parked(), applied: await applied(), readouts: await readouts({}) };
    expect(live.patients.length).toBe(2 * 14 + 3000);
    expect(live.parked.length).toBe(unregistered.length);
    const liveHistory = await historyRows();

    // What replay must repair: a row whose state and follow-up went wrong, a row the log has no patient for, a lost applied id,
    // an applied id with the wrong content hash and one the log does not have.
    await ds.query(`update rm_patients set state = state::jsonb || '{"sex": "F"}', followup = null where trial_id = $1 and patient_id = 'P0'`, [
      bulkId,
    ]);
    await ds.query(`insert into rm_patients (trial_id, patient_id, state, updated_at) values ($1, 'GHOST', '{}', now())`, [bulkId]);
    await ds.query(`delete from applied_events where consumer = $1 and event_id = $2`, [consumer, `${bulkId}:r-7`]);
    const rehashed = await ds.query(`update applied_events set content_hash = 'wrong' where consumer = $1 and event_id = $2`, [
      consumer,
      `${bulkId}:r-8`,
    ]);
    expect(rehashed[1]).toBe(1);
    await ds.query(`insert into applied_events (consumer, event_id, content_hash) values ($1, 'not in the log', 'x')`, [consumer]);

    const log: LogEvent[] = [...enrol, ...out];
    const read = inMemory({ events: log, watermarks: [], invalid: 0 });
    for (const round of [1, 2]) {
      const report = await rebuild(ds, read, { now: () => new Date(Date.now() + round).toISOString(), consumer });
      // The first replay writes a history row for the repaired P0 (its held state differed); the second none.
      expect(report).toMatchObject({
        patients: 2 * 14 + 3000,
        changedPatients: round === 1 ? 1 : 0,
        refused: 0,
        parked: unregistered.length,
        trials: 3,
      });
      expect(await patients()).toEqual(live.patients);
      expect(await parked()).toEqual(live.parked);
      expect(await applied()).toEqual(live.applied);
      expect(await readouts({})).toEqual(live.readouts);
      // As of the time before the replays: the history still answers with the live figures.
      expect(await readouts({ asOf: liveAt })).toEqual(live.readouts);
      expect(await historyRows()).toBe(liveHistory + 1);
    }

    // Over empty read models: the same rows, each patient with a history row at the replay's time.
    await ds.query(`delete from rm_patients`);
    await ds.query(`delete from applied_events where consumer = $1`, [consumer]);
    const fresh = await rebuild(ds, read, { now: () => new Date().toISOString(), consumer });
    expect(fresh).toMatchObject({ patients: 2 * 14 + 3000, changedPatients: 2 * 14 + 3000 });
    expect(await patients()).toEqual(live.patients);
    expect(await applied()).toEqual(live.applied);
    expect(await readouts({})).toEqual(live.readouts);
    expect(await readouts({ asOf: liveAt })).toEqual(live.readouts);
    expect(await historyRows()).toBe(liveHistory + 1 + 2 * 14 + 3000);

    // A read that fails part-way (the broker gone, a batch that cannot be folded): the error comes
    // out, nothing of the replay is written, and the connection serves the next replay.
    await ds.query(`delete from applied_events where consumer = $1`, [consumer]);
    const broken: LogSource = async (take) => {
      take(log.slice(0, 2000));
      await new Promise<void>((resolve) => setImmediate(resolve));
      take(log.slice(2000, 4000));
      throw new Error('the broker went away');
    };
    await expect(rebuild(ds, broken, { now: () => new Date().toISOString(), consumer })).rejects.toThrow('the broker went away');
    expect(await applied()).toEqual([]);
    expect(await patients()).toEqual(live.patients);
    expect(await historyRows()).toBe(liveHistory + 1 + 2 * 14 + 3000);
    await rebuild(ds, read, { now: () => new Date().toISOString(), consumer });
    expect(await applied()).toEqual(live.applied);
  }, 120_000);
});
