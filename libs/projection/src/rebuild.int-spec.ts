// Against the real Postgres: replay writes with COPY, so text that COPY's format escapes (tab,
// newline, backslash, quotes) must come back exactly as the live projector stores it; and a
// replay run twice over the same log changes nothing the second time.
import { DataSource } from 'typeorm';
import type { LogEvent } from '@trial/readmodel';
import { suiteDataSource, uniqueId } from '../../../test/support';
import { analysisAt } from './queries';
import { inMemory } from './log-reader';
import { rebuild } from './rebuild';
import { randomisedPatient, registeredTrial } from '../../../test/support/events';
import { testProjector } from '../../../test/support/projector';

describe('rebuild (followup replay) with COPY', () => {
  let ds: DataSource;
  suiteDataSource(2, (d) => (ds = d));

  it('rebuilds the rows the live projector wrote, awkward text included, and a second replay changes nothing', async () => {
    const trialId = uniqueId('COPY');
    const consumer = `copy-${trialId}`;
    const registered = registeredTrial(trialId, 'copy');
    // The patient id is kept in the state, the follow-up and the row: the awkward text goes there.
    const randomised = (i: number, patientId: string) => randomisedPatient(trialId, i, { patientId });
    const events: LogEvent[] = [registered, randomised(1, 'tab\there'), randomised(2, 'back\\slash "quoted"'), randomised(3, 'new\nline\r\\N')];
    const projector = testProjector(ds, consumer, () => '2026-01-01T12:00:00.000Z');
    await projector.apply({
      topic: `t-${trialId}`,
      partition: 0,
      lastOffset: String(events.length - 1),
      messages: events.map((value, i) => ({ offset: String(i), value })),
    });
    await projector.drain();
    const patients = () =>
      ds.query(`select patient_id, state, followup, guard, registry from rm_patients where trial_id = $1 order by patient_id`, [trialId]);
    const live = await patients();
    const liveReadout = (await analysisAt(ds, trialId, {}, {})).analysis;

    const read = inMemory({ events, watermarks: [], invalid: 0 });
    const first = await rebuild(ds, read, { trialId, now: () => '2026-01-02T12:00:00.000Z', consumer });
    expect(first).toMatchObject({ patients: 3, changedPatients: 0, refused: 0 });
    expect(await patients()).toEqual(live);
    const ids = ['back\\slash "quoted"', 'new\nline\r\\N', 'tab\there'];
    expect((await patients()).map((p: { patient_id: string; state: { patientId: string } }) => [p.patient_id, p.state.patientId])).toEqual(
      ids.map((id) => [id, id]),
    );
    const second = await rebuild(ds, read, { trialId, now: () => '2026-01-03T12:00:00.000Z', consumer });
    expect(second).toMatchObject({ patients: 3, changedPatients: 0 });
    expect(await patients()).toEqual(live);
    const rebuilt = (await analysisAt(ds, trialId, {}, {})).analysis;
    expect({ ...rebuilt, version: 0 }).toEqual({ ...liveReadout, version: 0 });
    const applied = (await ds.query(`select count(*)::int as n from applied_events where consumer = $1`, [consumer])) as Array<{ n: number }>;
    expect(applied[0].n).toBe(events.length);

    // Held rows that differ from the log, each in its own way: replay puts back exactly these, and
    // only a changed state (or a patient that was missing) gets a history row.
    const history = async () =>
      (
        (await ds.query(`select patient_id, count(*)::int as n from rm_patient_history where trial_id = $1 group by patient_id order by 1`, [
          trialId,
        ])) as Array<{ patient_id: string; n: number }>
      ).map((r) => [r.patient_id, r.n]);
    const before = await history();
    const stamps = async () =>
      (
        (await ds.query(`select patient_id, updated_at from rm_patients where trial_id = $1 order by 1`, [trialId])) as Array<{
          patient_id: string;
          updated_at: Date;
        }>
      ).map((r) => [r.patient_id, r.updated_at.toISOString()]);
    const stampsBefore = await stamps();
    const at = (day: string) => `2026-01-${day}T12:00:00.000Z`;
    await ds.query(`update rm_patients set followup = jsonb_set(followup::jsonb, '{time}', '1') where trial_id = $1 and patient_id = $2`, [
      trialId,
      ids[1],
    ]);
    await ds.query(`delete from rm_patients where trial_id = $1 and patient_id = $2`, [trialId, ids[2]]);
    await ds.query(
      `insert into rm_patients (trial_id, patient_id, state, registry, followup, guard, updated_at)
      select trial_id, 'not in the log', state, registry, followup, guard, updated_at from rm_patients where trial_id = $1 and patient_id = $2`,
      [trialId, ids[0]],
    );
    const third = await rebuild(ds, read, { trialId, now: () => at('04'), consumer });
    expect(third).toMatchObject({ patients: 3, changedPatients: 1 });
    expect(await patients()).toEqual(live);
    expect(await history()).toEqual(before.map(([id, n]) => [id, id === ids[2] ? Number(n) + 1 : n]));
    expect(await stamps()).toEqual([stampsBefore[0], [ids[1], at('04')], [ids[2], at('04')]]);

    await ds.query(`update rm_patients set state = jsonb_set(state::jsonb, '{sex}', '"F"') where trial_id = $1 and patient_id = $2`, [
      trialId,
      ids[0],
    ]);
    const fourth = await rebuild(ds, read, { trialId, now: () => at('05'), consumer });
    expect(fourth).toMatchObject({ patients: 3, changedPatients: 1 });
    expect(await patients()).toEqual(live);
    expect(await history()).toEqual(before.map(([id, n]) => [id, id === ids[0] || id === ids[2] ? Number(n) + 1 : n]));
    expect(await stamps()).toEqual([
      [ids[0], at('05')],
      [ids[1], at('04')],
      [ids[2], at('04')],
    ]);
  });
});
