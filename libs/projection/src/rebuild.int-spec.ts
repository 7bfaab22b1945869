// Against the real Postgres: replay writes with COPY, so text that COPY's format escapes (tab,
// newline, backslash, quotes) must come back exactly as the live projector stores it; and a
// replay run twice over the same log changes nothing the second time.
import { DataSource } from 'typeorm';
import type { LogEvent } from '@trial/readmodel';
import { suiteDataSource, uniqueId } from '../../../test/support';
import { ReadModelProjector } from './projector';
import { analysisAt } from './queries';
import { rebuild } from './rebuild';
import { randomisedPatient, registeredTrial } from '../../../test/support/events';

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
    const projector = new ReadModelProjector(
      ds,
      () => '2026-01-01T12:00:00.000Z',
      (e) => {
        throw e;
      },
      consumer,
    );
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

    const read = async () => ({ events, watermarks: [], invalid: 0 });
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
  });
});
